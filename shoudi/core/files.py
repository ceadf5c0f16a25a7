"""Stored files users download — a case's 佐证材料, a visit's photos — served by one view (``core:served_file``),
never from a public ``/files/`` path: signed in, within the scope of the file's owning object, written to the access
log, sent as an attachment that the browser may not sniff into a page, and not kept in any cache.

An app registers each kind from its wiring: ``registry.add("served_files", ServedFile(key, rows, field,
region_code), key=key)``, where ``rows(user)`` is the queryset of the file's rows the user may reach (resolved
through the owning object's ``restrict(user, "view")``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404
from django.urls import reverse
from django.views.decorators.http import require_GET

from .audit import log_access
from .models import AccessLog
from .registry import registry

__all__ = ["ServedFile", "serve", "served_file_url"]

# types a browser may show as they are (in an <img>, or a PDF viewer); anything else goes as plain bytes
SAFE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


@dataclass(frozen=True)
class ServedFile:
    """One kind of served file: ``rows(user)`` the rows whose file ``user`` may download (his scope of the owning
    object), ``field`` the FileField, ``region_code(row)`` the region the access log files the download under."""

    key: str
    rows: Callable[[object], models.QuerySet]
    field: str
    region_code: Callable[[models.Model], str] = lambda row: ""


def served_file_url(kind: str, row: models.Model) -> str:
    return reverse("core:served_file", args=[kind, row.pk])


def _stored_path(name: str) -> Path | None:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    return path if name and path.is_relative_to(root) and path.is_file() else None


@require_GET
def serve(request, kind: str, pk: int):
    """The file of row ``pk`` of ``kind``: 404 for an unknown kind, a row outside the user's scope, a missing file."""
    spec = registry.keyed("served_files").get(kind)
    if spec is None:
        raise Http404("没有这类文件")
    row = spec.rows(request.user).filter(pk=pk).first()
    stored = getattr(row, spec.field, None) if row is not None else None
    path = _stored_path(stored.name) if stored else None
    if path is None:
        raise Http404("文件不存在或不在您的管辖范围内")
    name = path.name
    log_access(
        user=request.user,
        action=AccessLog.DOWNLOAD,
        obj=row,
        field=spec.field,
        region_code=spec.region_code(row),
        request=request,
        detail=f"下载文件：{name}",
    )
    guessed, _ = mimetypes.guess_type(name)
    content_type = guessed if guessed in SAFE_TYPES else "application/octet-stream"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
