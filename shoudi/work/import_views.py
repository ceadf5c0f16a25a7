"""导入问题清单: upload a list, see every row and error (nothing written), then confirm to issue them all."""

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
from .importing import import_problems, read_problem_list
from .models import Problem

__all__ = ["problem_import"]

SESSION_KEY = "work_problem_import"  # the checked upload waits in the user's own session, never in the form


def _forget(request) -> None:
    path = stored_upload(request.session.pop(SESSION_KEY, "") or "")
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)


def _read(path, user):
    check_stored_upload(path, name=path.name)
    return read_problem_list(path.read_bytes(), path.name, user=user)


def problem_import(request):
    if not user_can(request.user, Problem, "import"):
        raise PermissionDenied("您的角色不能导入问题清单")
    form = ImportForm()
    context = {"title": "导入问题清单", "form": form}
    if request.method == "POST" and request.POST.get("confirm"):
        path = stored_upload(request.session.get(SESSION_KEY, "") or "")
        if path is None:
            messages.error(request, "待导入的文件已失效，请重新上传")
            return redirect("work:problem_import")
        try:
            problems = _read(path, request.user)
            if not problems.ok:
                raise services.TransitionRefused("清单有错误，未导入")
            count = import_problems(problems, user=request.user)
        except (FileRejected, UploadRefused, services.TransitionRefused) as exc:
            messages.error(request, str(exc))
            return redirect("work:problem_import")
        finally:
            _forget(request)
        messages.success(request, f"已下发 {count} 个问题")
        return redirect("work:problem_list")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "work/problem_import.html", context, status=422)
        _forget(request)
        forget_old_uploads("problems")
        path = keep_upload(form.cleaned_data["file"], "problems")
        try:
            problems = _read(path, request.user)
        except (FileRejected, UploadRefused) as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            form.add_error("file", str(exc))
            return render(request, "work/problem_import.html", context, status=422)
        if problems.ok:
            request.session[SESSION_KEY] = media_relative(path)
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
        context |= {"problems": problems, "filename": path.name}
    return render(request, "work/problem_import.html", context)
