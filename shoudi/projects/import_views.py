"""导入项目清单: upload the existing project list, see every row and error (nothing written), then confirm to enter
them all in the library."""

from __future__ import annotations

import shutil

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from shoudi.core.scope import user_can
from shoudi.core.tabular import FileRejected
from shoudi.core.uploads import (
    UploadRefused,
    check_stored_upload,
    forget_old_uploads,
    keep_upload,
    media_relative,
    stored_upload,
)

from . import services
from .forms import ImportForm
from .importing import import_projects, read_project_list
from .models import Project

__all__ = ["project_import"]

SESSION_KEY = "projects_project_import"  # the checked upload waits in the user's own session, never in the form
TEMPLATE = "projects/project_import.html"


def _forget(request) -> None:
    path = stored_upload(request.session.pop(SESSION_KEY, "") or "")
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)


def _read(path, user):
    check_stored_upload(path, name=path.name)
    return read_project_list(path.read_bytes(), path.name, user=user)


def project_import(request):
    if not user_can(request.user, Project, "import"):
        raise PermissionDenied("您的角色不能导入项目清单")
    form = ImportForm()
    context = {"title": "导入项目清单", "form": form}
    if request.method == "POST" and request.POST.get("confirm"):
        path = stored_upload(request.session.get(SESSION_KEY, "") or "")
        if path is None:
            messages.error(request, "待导入的文件已失效，请重新上传")
            return redirect("projects:project_import")
        try:
            projects = _read(path, request.user)
            if not projects.ok:
                raise services.TransitionRefused("清单有错误，未导入")
            count = import_projects(projects, user=request.user)
        except (FileRejected, UploadRefused, services.TransitionRefused) as exc:
            messages.error(request, str(exc))
            return redirect("projects:project_import")
        finally:
            _forget(request)
        messages.success(request, f"已导入 {count} 个项目")
        return redirect("projects:project_list")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, TEMPLATE, context, status=422)
        _forget(request)
        forget_old_uploads("projects")
        path = keep_upload(form.cleaned_data["file"], "projects")
        try:
            projects = _read(path, request.user)
        except (FileRejected, UploadRefused) as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            form.add_error("file", str(exc))
            return render(request, TEMPLATE, context, status=422)
        if projects.ok:
            request.session[SESSION_KEY] = media_relative(path)
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
        context |= {"projects": projects, "filename": path.name}
    return render(request, TEMPLATE, context)
