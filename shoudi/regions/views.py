from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shoudi.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filters import RegionFilterSet
from .forms import RegionForm
from .models import Region
from .tables import RegionTable


class RegionListView(ObjectListView):
    queryset = Region.objects.select_related("parent")
    filterset_class = RegionFilterSet
    table_class = RegionTable
    title = "行政区划"
    add_url_name = "regions:region_add"
    import_url_name = "regions:region_import"


class RegionDetailView(ObjectDetailView):
    queryset = Region.objects.select_related("parent")
    template_name = "regions/region_detail.html"
    fields = ("code", "name", "level", "parent")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        context["children"] = Region.objects.restrict(request.user, "view").filter(parent=obj)
        context["breadcrumb"] = [r for r in obj.ancestors()]
        return context


class RegionEditView(ObjectEditView):
    queryset = Region.objects.all()
    form_class = RegionForm


class RegionDeleteView(ObjectDeleteView):
    queryset = Region.objects.all()


def picker_context(request) -> dict:
    """The header's picker: the regions inside the user's own, and the one picked."""
    from shoudi.core.views.generic import picked_region_code

    regions = list(Region.objects.restrict(request.user, "view").only("code", "name", "level"))
    if len(regions) <= 1:
        return {"picker_regions": [], "picked_region": None}
    code = picked_region_code(request)
    picked = next((r for r in regions if r.code == code), None)
    return {"picker_regions": regions, "picked_region": picked}


@require_POST
def pick_region(request):
    """The header's region picker: narrows every list to one region inside the user's own."""
    code = request.POST.get("code", "").strip()
    if code and Region.objects.restrict(request.user, "view").filter(code=code).exists():
        request.session["region_code"] = code
    else:
        request.session.pop("region_code", None)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)
