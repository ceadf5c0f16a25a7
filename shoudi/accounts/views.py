from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, in_scope
from shoudi.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filters import UserFilterSet
from .forms import UserForm
from .models import User
from .tables import UserTable


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form


class UserListView(ObjectListView):
    queryset = User.objects.select_related("region")
    filterset_class = UserFilterSet
    table_class = UserTable
    title = "用户"
    add_url_name = "accounts:user_add"


class UserDetailView(ObjectDetailView):
    queryset = User.objects.select_related("region")
    template_name = "accounts/user_detail.html"
    fields = ("username", "name", "role", "region", "department", "phone", "is_active", "last_login", "date_joined")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        context["can_unmask"] = in_scope(request.user, obj, "unmask")
        return context


class UserEditView(ObjectEditView):
    queryset = User.objects.all()
    form_class = UserForm


class UserDeleteView(ObjectDeleteView):
    queryset = User.objects.all()


def unmask_user_phone(request, pk):
    """Show one user's full phone number (htmx); the act is written to the access log."""
    user = get_object_for(request.user, User.objects.all(), "unmask", pk=pk)
    log_access(user=request.user, action=AccessLog.UNMASK, obj=user, field="phone", request=request)
    return render(request, "accounts/_phone.html", {"phone": user.phone})


def profile(request):
    messages.info(request, "如需修改所属区划或角色，请联系县级管理员。")
    return render(request, "accounts/profile.html", {"object": request.user})
