"""Limits every uploaded file passes before anything parses it: its size, and for a workbook (a zip) the number of
members, their compression ratio, their uncompressed size and the sheets' declared dimension. A zip bomb or a sheet
declaring a million columns is refused with a Chinese message, reading no more than the first bytes of each sheet.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = ["UploadLimits", "UploadRefused", "check_upload"]

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


def check_upload(path: Path, limits: UploadLimits | None = None) -> None:
    """Raise ``UploadRefused`` unless ``path`` is within the limits; a non-zip file is checked by size alone."""
    limits = limits or UploadLimits.configured()
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadRefused(
            f"文件太大（{size / 1024 / 1024:.1f} MB），上传文件不能超过 {limits.max_bytes // 1024 // 1024} MB"
        )
    if not zipfile.is_zipfile(path):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise UploadRefused("文件已损坏，无法作为 Excel 文件读取")
        return  # .xls, .csv: the size is all there is to check before reading
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            if len(members) > limits.max_members:
                raise UploadRefused(f"文件内部结构异常（包含 {len(members)} 个部件），不是正常的 Excel 文件")
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > limits.max_ratio:
                    raise UploadRefused(f"文件解压后异常膨胀（{member.filename} 压缩比 {ratio:.0f}:1），拒绝读取")
            if total > limits.max_uncompressed:
                raise UploadRefused(f"文件解压后过大（{total / 1024 / 1024:.0f} MB），拒绝读取")
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
