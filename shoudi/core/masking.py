"""Masking of personal information in lists and pages (身份证号、电话)."""

__all__ = ["mask_id_number", "mask_phone", "mask_value"]


def mask_id_number(value: str | None) -> str:
    """110105********002X: the address code and the last four stay, the birth date is hidden."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_value(kind: str, value) -> str:
    return {"id_number": mask_id_number, "phone": mask_phone}.get(kind, mask_phone)(value)
