"""Upload limits (issue 15, M3): a zip bomb, a sheet declaring a huge range and an oversized file are refused with a
Chinese message before any parsing, in little memory; a real workbook passes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shoudi.core.uploads import UploadLimits, UploadRefused, check_upload
from shoudi.registry.national import write_national_xlsx

SHEET = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def zip_bomb(path: Path, megabytes: int = 200) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET.encode())
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(block)
    return path


def huge_declared_sheet(path: Path) -> Path:
    """A tiny file whose sheet declares A1:XFD1048576 (about 2 GB of cells if a reader believed it)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", SHEET + '<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    return path


def test_a_zip_bomb_is_refused(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2 * 1024 * 1024
    refused = r"文件解压后异常膨胀（xl/worksheets/sheet1.xml 压缩比 \d+:1，上限 100:1），拒绝读取"
    with pytest.raises(UploadRefused, match=refused):
        check_upload(path)


def test_a_huge_declared_sheet_is_refused(tmp_path):
    with pytest.raises(UploadRefused, match="工作表声明的范围过大（17,179,869,184 个单元格"):
        check_upload(huge_declared_sheet(tmp_path / "huge.xlsx"))


def test_an_oversized_or_broken_file_is_refused(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(UploadRefused, match=r"文件太大（2.0 MB），上传文件不能超过 2 MB"):
        check_upload(big, UploadLimits(max_bytes=2 * 1024 * 1024))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(zip_bomb(tmp_path / "b.xlsx", 2).read_bytes()[:-200])
    with pytest.raises(UploadRefused):
        check_upload(broken)


def test_a_real_county_file_passes(tmp_path):
    path = tmp_path / "county.xlsx"
    write_national_xlsx(path, [], title="测试县农户信息", details="")
    check_upload(path)  # raises nothing


@pytest.mark.parametrize("make", [zip_bomb, huge_declared_sheet])
def test_refusing_takes_little_memory(tmp_path, make):
    """Measured in a fresh process (VmHWM: ru_maxrss would carry the parent's peak over the fork): the refusal reads
    only the first bytes of a sheet."""
    path = make(tmp_path / "x.xlsx")
    code = (
        "import json\n"
        "from shoudi.core.uploads import UploadLimits, UploadRefused, check_upload\n"
        "try:\n"
        f"    check_upload({str(path)!r}, UploadLimits())\n"
        "    refused = ''\n"
        "except UploadRefused as exc:\n"
        "    refused = str(exc)\n"
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps([refused, peak // 1024]))\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "shoudi.settings", "PATH": "/usr/bin:/bin"}
    prelude = "import django; django.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, check=True, env=env, cwd=tmp_path
    )
    refused, peak_mb = json.loads(done.stdout.strip().splitlines()[-1])
    assert refused and peak_mb < 200
