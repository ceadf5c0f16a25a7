import datetime

from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.urls import reverse

from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, in_scope
from shoudi.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from shoudi.core.views.generic import object_history

from .filters import HouseholdFilterSet, MemberFilterSet
from .forms import HouseholdForm, IncomeRecordForm, MemberForm
from .guarantees import guarantee_rows
from .models import Household, IncomeRecord, Member
from .panels import household_panels
from .pickers import HEAD_NAME
from .tables import HouseholdTable, MemberTable, with_head_name


class HouseholdListView(ObjectListView):
    queryset = Household.objects.select_related("village").annotate(head_name=HEAD_NAME, member_count=Count("members"))
    filterset_class = HouseholdFilterSet
    table_class = HouseholdTable
    title = "农户"
    add_url_name = "registry:household_add"
    import_url_name = "registry:import_upload"
    template_name = "registry/household_list.html"


class HouseholdDetailView(ObjectDetailView):
    """一户一档: the household, its members, incomes by year, guarantees and its history."""

    queryset = Household.objects.select_related("village__parent", "resettlement_site")
    template_name = "registry/household_detail.html"

    def get(self, request, pk):
        household = get_object_for(
            request.user,
            self.queryset.prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")), "incomes"),
            "view",
            pk=pk,
        )
        context = {
            "object": household,
            "title": household.label,
            "members": household.members.all(),
            "incomes": household.incomes.all(),
            "changes": object_history(request.user, household),
            "can_change": in_scope(request.user, household, "change"),
            "can_unmask": in_scope(request.user, household, "unmask"),
            "panels": household_panels(request, household),
        }
        context["guarantees"], context["other_problems"] = guarantee_rows(household)
        return render(request, self.template_name, context)


class HouseholdEditView(ObjectEditView):
    queryset = Household.objects.all()
    form_class = HouseholdForm


class MemberListView(ObjectListView):
    queryset = with_head_name(Member.objects.all())
    filterset_class = MemberFilterSet
    table_class = MemberTable
    title = "家庭成员"


class MemberEditView(ObjectEditView):
    queryset = Member.objects.all()
    form_class = MemberForm

    def get_form(self, request, instance, data=None, files=None):
        initial = {}
        if instance.pk is None and request.GET.get("household", "").isdigit():
            initial["household"] = request.GET["household"]
        return self.form_class(data, files, instance=instance, user=request.user, initial=initial)


class MemberDeleteView(ObjectDeleteView):
    queryset = Member.objects.all()


class IncomeEditView(ObjectEditView):
    """新增/修改收入, from the household page: incomes have no list of their own, so 取消 goes back there."""

    queryset = IncomeRecord.objects.all()
    form_class = IncomeRecordForm

    def get_form(self, request, instance, data=None, files=None):
        initial = {}
        if instance.pk is None and request.GET.get("household", "").isdigit():
            initial["household"] = request.GET["household"]
            household = Household.objects.restrict(request.user, "view").filter(pk=initial["household"]).first()
            if household is not None:
                initial["household_size"] = household.current_size() or None
        return self.form_class(data, files, instance=instance, user=request.user, initial=initial)

    def list_url(self, request=None) -> str:
        household = (request or self.request).GET.get("household", "")
        if household.isdigit():
            return reverse("registry:household_detail", args=[int(household)])
        return reverse("registry:household_list")


UNMASKABLE = {("member", "id_number"), ("member", "phone"), ("member", "birth_date"), ("household", "phone")}


def unmask(request, kind, pk, field):
    """Show one full ID number, phone or birth date (htmx); the act is written to the access log."""
    if (kind, field) not in UNMASKABLE:
        from django.http import Http404

        raise Http404
    model = Member if kind == "member" else Household
    obj = get_object_for(request.user, model.objects.all(), "unmask", pk=pk)
    log_access(user=request.user, action=AccessLog.UNMASK, obj=obj, field=field, request=request)
    value = getattr(obj, field)
    if isinstance(value, datetime.date):
        value = f"{value:%Y-%m-%d}"
    return render(request, "registry/_unmasked.html", {"value": value})
