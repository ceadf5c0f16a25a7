"""A list imported from a spreadsheet in the request: upload it, see every row and error (nothing written), then
confirm to write them all. The checked upload waits in the user's own session, never in the form; a list with
errors is not kept. Work's 问题清单 and projects' 项目清单 are such lists (``ListImport(...).view``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

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

__all__ = ["ListImport"]


class _HasErrors(Exception):
    pass


@dataclass(frozen=True)
class ListImport:
    model: type
    title: str  # 导入问题清单
    form_class: type
    template: str
    folder: str  # the upload folder, also the session key's tail
    read: Callable  # read(content, file_name, user=) → a result with ``.ok``
    write: Callable  # write(result, user=) → the number written
    done: Callable[[int], str]  # the message after writing
    here: str  # the page's URL name
    done_url: str  # where to go after writing
    context_name: str  # the result's name in the template
    refusals: tuple[type[Exception], ...] = ()  # what ``write`` may refuse with (its message is shown)

    @property
    def session_key(self) -> str:
        return f"list_import_{self.folder}"

    def _forget(self, request) -> None:
        path = stored_upload(request.session.pop(self.session_key, "") or "")
        if path is not None:
            shutil.rmtree(path.parent, ignore_errors=True)

    def _read(self, path, user):
        check_stored_upload(path, name=path.name)
        return self.read(path.read_bytes(), path.name, user=user)

    def view(self, request):
        if not user_can(request.user, self.model, "import"):
            raise PermissionDenied(f"您的角色不能{self.title}")
        if request.method == "POST" and request.POST.get("confirm"):
            return self._confirm(request)
        context = {"title": self.title, "form": self.form_class()}
        if request.method == "POST":
            return self._preview(request, context)
        return render(request, self.template, context)

    def _confirm(self, request):
        path = stored_upload(request.session.get(self.session_key, "") or "")
        if path is None:
            messages.error(request, "待导入的文件已失效，请重新上传")
            return redirect(self.here)
        try:
            result = self._read(path, request.user)
            if not result.ok:
                raise _HasErrors("清单有错误，未导入")
            count = self.write(result, user=request.user)
        except (FileRejected, UploadRefused, _HasErrors, *self.refusals) as exc:
            messages.error(request, str(exc))
            return redirect(self.here)
        finally:
            self._forget(request)
        messages.success(request, self.done(count))
        return redirect(self.done_url)

    def _preview(self, request, context: dict):
        form = context["form"] = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template, context, status=422)
        self._forget(request)
        forget_old_uploads(self.folder)
        path = keep_upload(form.cleaned_data["file"], self.folder)
        try:
            result = self._read(path, request.user)
        except (FileRejected, UploadRefused) as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            form.add_error("file", str(exc))
            return render(request, self.template, context, status=422)
        if result.ok:
            request.session[self.session_key] = media_relative(path)
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
        context |= {self.context_name: result, "filename": path.name}
        return render(request, self.template, context)
