"""The change log as a county official reads it: fields by their Chinese names, values by their labels.

An ``ObjectChange`` keeps the raw values (choice keys, ids, UTC ISO times) so that nothing is lost; this module turns
them into what a page shows: a choice by its label, 是/否, a foreign key by the name of the object it points to
(looked up once per page for all the changes on it), a time in local time, a list or a set of values as one line.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .masking import mask_mapping, mask_value

__all__ = ["SOURCE_CHOICES", "attach_diffs", "readable"]

SOURCE_CHOICES = [("web", "网页操作"), ("cli", "命令行"), ("job", "后台任务"), ("system", "系统")]
NUMERIC = (models.DecimalField, models.IntegerField, models.FloatField, models.DateField, models.BooleanField)


def _shown_fields(model) -> dict[str, models.Field]:
    """The fields a history shows: not the row id, and not the text keys the system derives from other fields
    (拼音首字母, 比较用写法 …), which change only with what is shown."""
    return {
        f.name: f for f in model._meta.concrete_fields if not f.primary_key and (f.editable or isinstance(f, NUMERIC))
    }


def readable(field: models.Field | None, value, names: dict | None = None):
    """One stored value as a page shows it (None for an empty value)."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None:
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        labels = getattr(field.model, "audit_labels", {}).get(field.name)  # stored keys a model names (a JSON list)
        if labels is not None:
            keys = value if isinstance(value, list) else [value]
            return "、".join(str(labels.get(k, k)) for k in keys) or None
        if field.is_relation and names is not None:
            return names.get((field.related_model, str(value)), f"编号 {value}（已删除）")
        if isinstance(field, models.FileField):  # the stored path: the file's name is what a person recognises
            return str(value).rsplit("/", 1)[-1]
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            moment = parse_datetime(value)
            if moment is not None:
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment, datetime.UTC)
                return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return "、".join(str(readable(None, v)) for v in value if readable(None, v) is not None) or None
    if isinstance(value, dict):  # e.g. the national export's columns kept on a household: their values
        return "、".join(str(readable(None, v)) for v in value.values() if readable(None, v) is not None) or None
    return value


def _raw_rows(change) -> list[tuple[models.Field | None, str, object, object]]:
    before, after = change.before or {}, change.after or {}
    model = change.content_type.model_class()
    fields = _shown_fields(model) if model is not None else {}
    personal = getattr(model, "personal_fields", {}) if model is not None else {}
    rows = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new or (model is not None and key not in fields):
            continue
        if key in personal:  # the history shows personal values masked, like every list, for every reader
            old = mask_value(personal[key], old) if old else old
            new = mask_value(personal[key], new) if new else new
        elif isinstance(old, dict) or isinstance(new, dict):  # JSON data (a clue's figures …): by what each key names
            old, new = mask_mapping(old), mask_mapping(new)
        rows.append((fields.get(key), key, old, new))
    return rows


def attach_diffs(changes: Iterable) -> list:
    """The changes, each with its readable rows (``change.diff()``); the names behind foreign keys are read with
    one query per related model for all of them."""
    changes = list(changes)
    raw = {id(change): _raw_rows(change) for change in changes}
    wanted: dict[type, set[str]] = defaultdict(set)
    for rows in raw.values():
        for field, _key, old, new in rows:
            if field is not None and field.is_relation and not field.choices:
                wanted[field.related_model].update(str(v) for v in (old, new) if v not in (None, ""))
    names = {}
    for model, ids in wanted.items():
        for obj in model._base_manager.filter(pk__in=list(ids)):
            names[(model, str(obj.pk))] = str(obj)
    for change in changes:
        change._readable = [
            (
                str(field.verbose_name) if field is not None else key,
                readable(field, old, names),
                readable(field, new, names),
            )
            for field, key, old, new in raw[id(change)]
        ]
    return changes
