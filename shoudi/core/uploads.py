"""Limits every uploaded file passes before anything parses it: its size, and for a workbook (a zip) the number of
members, their compression ratio, their uncompressed size and the sheets' declared dimension. A zip bomb or a sheet
declaring a million columns is refused with a Chinese message, reading no more than the first bytes of each sheet.

Forms take uploads through ``LimitedFileField`` (the file is refused on the form, naming the file, the limit and its
value); a job that parses a stored upload calls ``check_upload`` on it again first (``refuse_in_job``). The upload
size limit is ``settings.UPLOAD_MAX_MB`` (``SHOUDI_UPLOAD_MAX_MB``, default 50).
"""

from __future__ import annotations

import json
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django import forms
from django.conf import settings
from django.utils.text import get_valid_filename

__all__ = [
    "LimitedFileField",
    "UploadLimits",
    "UploadRefused",
    "check_stored_upload",
    "check_upload",
    "check_uploaded_file",
    "forget_old_uploads",
    "keep_upload",
    "media_relative",
    "read_job_data",
    "start_upload_job",
    "stored_upload",
    "write_job_data",
]

DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
HEAD_BYTES = 64 * 1024  # a sheet declares its dimension in its first bytes


class UploadRefused(ValueError):
    """An upload refused before parsing; the message says why, in Chinese."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 50 * 1024 * 1024
    max_members: int = 1_000
    max_ratio: int = 100  # uncompressed : compressed, per member of the zip
    max_uncompressed: int = 1024 * 1024 * 1024
    max_cells: int = 30_000_000  # rows × columns a sheet may declare (1,000,000 persons × 30 columns)

    @classmethod
    def configured(cls) -> UploadLimits:
        return cls(max_bytes=int(getattr(settings, "UPLOAD_MAX_MB", 50)) * 1024 * 1024)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _declared_cells(head: bytes) -> int | None:
    match = DIMENSION.search(head)
    if not match or not match.group(3):
        return None
    first_col, first_row, last_col, last_row = match.groups()
    rows = int(last_row) - int(first_row or 1) + 1
    cols = _column_number(last_col) - _column_number(first_col or b"A") + 1
    return rows * cols


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_upload(path: Path | IO[bytes], limits: UploadLimits | None = None, *, name: str = "") -> None:
    """Raise ``UploadRefused`` unless the file is within the limits; a non-zip file is checked by size alone.

    ``path`` is a file on disk or an open binary file (an upload kept in memory; it is rewound afterwards);
    ``name`` is the file's own name when the path's does not tell its type.
    """
    limits = limits or UploadLimits.configured()
    if isinstance(path, str | Path):
        path = Path(path)
        size, suffix = path.stat().st_size, Path(name or path.name).suffix.lower()
    else:
        path.seek(0, 2)
        size, suffix = path.tell(), Path(name).suffix.lower()
        path.seek(0)
    if size > limits.max_bytes:
        raise UploadRefused(f"文件太大（{_size_text(size)}），上传文件不能超过 {limits.max_bytes // 1024 // 1024} MB")
    try:
        _check_zip(path, suffix, limits)
    finally:
        if not isinstance(path, Path):
            path.seek(0)


def _check_zip(source: Path | IO[bytes], suffix: str, limits: UploadLimits) -> None:
    if not zipfile.is_zipfile(source):
        if suffix in (".xlsx", ".xlsm"):
            raise UploadRefused("文件已损坏，无法作为 Excel 文件读取")
        return  # .xls, .csv: the size is all there is to check before reading
    try:
        with zipfile.ZipFile(source) as book:
            members = book.infolist()
            if len(members) > limits.max_members:
                raise UploadRefused(
                    f"文件内部结构异常（包含 {len(members)} 个部件，上限 {limits.max_members} 个），"
                    "不是正常的 Excel 文件"
                )
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > limits.max_ratio:
                    raise UploadRefused(
                        f"文件解压后异常膨胀（{member.filename} 压缩比 {ratio:.0f}:1，"
                        f"上限 {limits.max_ratio}:1），拒绝读取"
                    )
            if total > limits.max_uncompressed:
                raise UploadRefused(
                    f"文件解压后过大（{total / 1024 / 1024:.0f} MB，"
                    f"上限 {limits.max_uncompressed // 1024 // 1024} MB），拒绝读取"
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    with book.open(member) as sheet:
                        cells = _declared_cells(sheet.read(HEAD_BYTES))
                    if cells is not None and cells > limits.max_cells:
                        raise UploadRefused(
                            f"工作表声明的范围过大（{cells:,} 个单元格，上限 {limits.max_cells:,}），拒绝读取"
                        )
    except zipfile.BadZipFile as exc:
        raise UploadRefused("文件已损坏，无法作为 Excel 文件读取") from exc


def check_uploaded_file(upload, *, size_only: bool = False, limits: UploadLimits | None = None) -> None:
    """Check an upload Django received (``UploadedFile``) before anything reads it; the message names the file.

    ``size_only``: files that are stored, never parsed (attachments, photos), are checked by size alone.
    """
    limits = limits or UploadLimits.configured()
    name = Path(upload.name or "").name
    try:
        if upload.size > limits.max_bytes:
            raise UploadRefused(
                f"文件太大（{_size_text(upload.size)}），上传文件不能超过 {limits.max_bytes // 1024 // 1024} MB"
            )
        if not size_only:
            if hasattr(upload, "temporary_file_path"):
                check_upload(Path(upload.temporary_file_path()), limits, name=name)
            else:
                check_upload(upload.file, limits, name=name)
    except UploadRefused as exc:
        raise UploadRefused(f"文件“{name}”未被接受：{exc}") from None


def check_stored_upload(path: Path, *, name: str) -> None:
    """The worker's own check of a stored upload before its job parses it (a file may have been stored by an older
    version, or put there by hand): ``UploadRefused`` naming the file, as on the form."""
    try:
        check_upload(Path(path), name=name)
    except UploadRefused as exc:
        raise UploadRefused(f"文件“{Path(name).name}”未被接受：{exc}") from None


class LimitedFileField(forms.FileField):
    """A file field whose upload passes the upload limits (``check_uploaded_file``) before the form is valid."""

    def __init__(self, *args, size_only: bool = False, **kwargs):
        self.size_only = size_only
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size") and upload is not initial:
            try:
                check_uploaded_file(upload, size_only=self.size_only)
            except UploadRefused as exc:
                raise forms.ValidationError(str(exc), code="upload_refused") from None
        return upload


def keep_upload(upload, folder: str) -> Path:
    """Store an accepted upload under ``MEDIA_ROOT/uploads/<folder>/<random>/`` (its own name, made safe) for a job
    to read; returns the path."""
    directory = Path(settings.MEDIA_ROOT) / "uploads" / folder / secrets.token_hex(16)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (get_valid_filename(Path(upload.name or "").name) or "upload")
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def forget_old_uploads(folder: str, *, days: float = 1) -> None:
    """Remove what ``keep_upload`` stored in ``folder`` more than ``days`` ago (an upload never confirmed)."""
    import shutil
    import time

    cutoff = time.time() - days * 86400
    for old in (Path(settings.MEDIA_ROOT) / "uploads" / folder).glob("*"):
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def start_upload_job(upload, *, folder: str, kind: str, user, title: str):
    """Keep an accepted upload (a day-old unconfirmed one of the folder goes) and start the job that parses it in the
    worker, with the stored path and the file's own name as its parameters; returns the job."""
    from shoudi.core.jobs import start_job

    forget_old_uploads(folder)
    path = keep_upload(upload, folder)
    params = {"path": media_relative(path), "filename": upload.name}
    return start_job(kind=kind, user=user, params=params, title=title[:200])


def stored_upload(relative: str) -> Path | None:
    """The file ``keep_upload`` stored, by its path relative to ``MEDIA_ROOT`` (None outside the uploads folder)."""
    root = (Path(settings.MEDIA_ROOT) / "uploads").resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def media_relative(path: Path) -> str:
    return Path(path).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()).as_posix()


JOB_DATA = "data.json"


def write_job_data(directory: Path, data: dict) -> None:
    """What a parsing job found (a preview, the rows' errors), for the page that waits on it: JSON in the job's
    directory (``core.jobs.job_dir``), kept out of ``Job.result``, whose figures the job page lists."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / JOB_DATA).write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")


def read_job_data(directory: Path) -> dict | None:
    try:
        return json.loads((directory / JOB_DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
