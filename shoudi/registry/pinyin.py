"""Pinyin initials of names, for search (张三丰 → ZSF). Characters pypinyin does not know are skipped."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = ["initials_of"]


@lru_cache(maxsize=65536)
def initials_of(name: str) -> str:
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if name else []
    return "".join(letters).upper()[:20]
