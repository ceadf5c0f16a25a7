from django import template
from django.utils.http import urlencode

from shoudi.core.masking import mask_birth_date, mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value)


@register.filter(name="mask_phone")
def mask_phone_filter(value):
    return mask_phone(value)


@register.filter
def mask_birth(value):
    return mask_birth_date(value)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
