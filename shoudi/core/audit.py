"""The change log (变更记录) and the access log (敏感信息访问记录).

Every save or delete of a ``ChangeLoggedModel`` writes an ``ObjectChange`` with the values before and after, through
model signals, so views, services, commands and jobs are all covered. Bulk writers, which send no signals, log
their rows themselves in the same shape: ``log_changes`` for rows built in Python, ``log_created`` for rows just
inserted set-based (their ids from ``RETURNING``), which the database logs itself with one ``INSERT … SELECT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .context import current_actor
from .models import AccessLog, ChangeLoggedModel, ObjectChange

__all__ = ["actor_fields", "after_sql", "build_change", "log_access", "log_change", "log_changes", "log_created"]


def actor_fields(actor) -> dict:
    user = actor.user if getattr(actor.user, "pk", None) else None
    name = ""
    if user is not None:
        name = user.get_full_name() or user.get_username()
    elif actor.source != "web":
        name = {"cli": "命令行", "job": "后台任务"}.get(actor.source, "系统")
    return {"user": user, "user_name": name}


def build_change(instance: ChangeLoggedModel, action: str, before: dict | None, after: dict | None) -> ObjectChange:
    actor = current_actor()
    parent = instance.audit_parent()
    return ObjectChange(
        **actor_fields(actor),
        source=actor.source,
        request_id=actor.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        parent_content_type=ContentType.objects.get_for_model(type(parent)) if parent is not None else None,
        parent_object_id=str(parent.pk) if parent is not None else "",
        region_code=instance.audit_region_code(),
        before=before,
        after=after,
    )


def log_change(instance: ChangeLoggedModel, action: str, before: dict | None, after: dict | None) -> ObjectChange:
    change = build_change(instance, action, before, after)
    change.save()
    return change


def log_changes(changes: Iterable[ObjectChange]) -> None:
    ObjectChange.objects.bulk_create(list(changes), batch_size=2000)


def _value_sql(f: models.Field, ref: str, postgres: bool) -> str | None:
    """SQL for one field's value as ``audit_data()`` writes it (None: a field type not expressible here)."""
    if isinstance(f, models.BooleanField):
        if postgres:
            return ref
        return f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} THEN json('true') ELSE json('false') END"
    if isinstance(f, models.DecimalField):  # str(Decimal) with the field's places, e.g. "1234.50"
        if postgres:
            return f"{ref}::text"
        return f"CASE WHEN {ref} IS NULL THEN NULL ELSE printf('%%.{f.decimal_places}f', {ref}) END"
    if isinstance(f, models.DateTimeField):  # isoformat() of the aware UTC value: microseconds only when not 0
        if not postgres:  # stored as naive UTC text, "2026-01-05 08:30:00[.123456]"
            return f"CASE WHEN {ref} IS NULL THEN NULL ELSE replace({ref}, ' ', 'T') || '+00:00' END"
        utc = f"({ref} AT TIME ZONE 'UTC')"
        return (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = '000000' "
            f"THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00'"
        )
    if isinstance(f, models.DateField):  # isoformat()
        return f"to_char({ref}, 'YYYY-MM-DD')" if postgres else ref
    if isinstance(f, models.JSONField):
        return ref if postgres else f"json({ref})"
    if isinstance(f, models.CharField | models.TextField | models.IntegerField | models.ForeignKey):
        return ref
    return None


def after_sql(model: type[ChangeLoggedModel], alias: str, connection) -> str | None:
    """``audit_data()`` of a row as one JSON object built in SQL (None: not expressible)."""
    qn, postgres = connection.ops.quote_name, connection.vendor == "postgresql"
    pairs = []
    for f in model._meta.concrete_fields:
        if f.name in model.audit_exclude:
            continue
        value = _value_sql(f, f"{alias}.{qn(f.column)}", postgres)
        if value is None:
            return None
        pairs.append(f"'{f.name}', {value}")
    if postgres:  # at most 100 arguments a function: objects of 40 pairs, concatenated
        return " || ".join(f"jsonb_build_object({', '.join(pairs[i : i + 40])})" for i in range(0, len(pairs), 40))
    if len(pairs) > 60:  # SQLite allows 127 arguments a function
        return None
    return f"json_object({', '.join(pairs)})"


def _region_sql(model: type[models.Model], alias: str, qn) -> tuple[str, str]:
    """(joins, expression) reaching the model's ``scope_code_field`` from ``alias``."""
    path = model.scope_code_field.split("__") if model.scope_code_field else []
    joins, current, ref = [], model, alias
    for depth, name in enumerate(path):
        f = current._meta.get_field(name)
        if not f.is_relation:
            return " ".join(joins), f"{ref}.{qn(f.column)}"
        target = f.related_model
        joined = f"r{depth}"
        joins.append(
            f"JOIN {qn(target._meta.db_table)} {joined} ON {joined}.{qn(target._meta.pk.column)} = {ref}.{qn(f.column)}"
        )
        current, ref = target, joined
    return "", "''"


def log_created(model: type[ChangeLoggedModel], ids: Sequence[int], *, represent: str = "", parent: str = "") -> int:
    """Write the 新增 change-log rows of ``model`` rows just inserted in bulk (``ids``, e.g. from ``RETURNING``),
    as ``log_change`` writes them for one saved instance: who (the current actor), the region, the parent and
    ``after`` = ``audit_data()``. The database builds them from the rows themselves (``INSERT … SELECT``), so tens
    of thousands cost no Python per row.

    ``represent``: SQL for ``object_repr`` over the row as ``o`` (default: the model's name and the id);
    ``parent``: the foreign key to the object whose history shows the change (what ``audit_parent()`` returns).
    Returns how many rows were logged."""
    ids = list(ids)
    if not ids:
        return 0
    connection = connections[router.db_for_write(ObjectChange)]
    qn, postgres = connection.ops.quote_name, connection.vendor == "postgresql"
    after = after_sql(model, "o", connection)
    if after is None:  # a field type the SQL does not cover: the same rows built in Python
        objects = model._base_manager.filter(pk__in=ids)
        log_changes(build_change(obj, ObjectChange.CREATE, None, obj.audit_data()) for obj in objects)
        return len(ids)
    text = "text" if postgres else "TEXT"
    joins, region = _region_sql(model, "o", qn)
    pk = f"o.{qn(model._meta.pk.column)}"
    represent = represent or f"'{model._meta.verbose_name} ' || CAST({pk} AS {text})"
    if parent:
        parent_field = model._meta.get_field(parent)
        parent_type = ContentType.objects.get_for_model(parent_field.related_model).pk
        parent_id = f"CAST(o.{qn(parent_field.column)} AS {text})"
    else:
        parent_type, parent_id = None, "''"
    actor = current_actor()
    who = actor_fields(actor)
    change = {f.name: f for f in ObjectChange._meta.concrete_fields}
    head = [
        change["time"].get_db_prep_save(timezone.now(), connection),
        who["user"].pk if who["user"] else None,
        who["user_name"],
        actor.source,
        change["request_id"].get_db_prep_save(actor.request_id, connection),
        ObjectChange.CREATE,
        ContentType.objects.get_for_model(model).pk,
        parent_type,
    ]
    columns = (
        "time",
        "user",
        "user_name",
        "source",
        "request_id",
        "action",
        "content_type",
        "parent_content_type",
        "object_id",
        "object_repr",
        "parent_object_id",
        "region_code",
        "before",
        "after",
    )
    sql = (
        f"INSERT INTO {qn(ObjectChange._meta.db_table)} "  # noqa: S608 - model and column names
        f"({', '.join(qn(change[c].column) for c in columns)}) "
        f"SELECT %s, %s, %s, %s, %s, %s, %s, %s, CAST({pk} AS {text}), substr({represent}, 1, 200), {parent_id}, "
        f"COALESCE({region}, ''), NULL, {after} FROM {qn(model._meta.db_table)} o {joins} WHERE {{where}}"
    )
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if postgres:
            # a subquery per row (the name) makes the estimate high enough for JIT, which costs more than it saves
            cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
            jit = cursor.fetchone()[0]
            cursor.execute(sql.format(where=f"{pk} = ANY(%s)"), [*head, ids])
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        else:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                cursor.execute(sql.format(where=f"{pk} IN ({', '.join(['%s'] * len(part))})"), [*head, *part])
    return len(ids)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        old = type(instance)._base_manager.filter(pk=instance.pk).first()
        instance._audit_before = old.audit_data() if old is not None else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    before = getattr(instance, "_audit_before", None)
    after = instance.audit_data()
    if created or before is None:
        log_change(instance, ObjectChange.CREATE, None, after)
    elif before != after:
        log_change(instance, ObjectChange.UPDATE, before, after)


@receiver(pre_delete)
def _remember_deleted(sender, instance, **kwargs):
    if isinstance(instance, ChangeLoggedModel):
        instance._audit_deleted = instance.audit_data()
        instance._audit_deleted_pk = instance.pk


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    pk = instance.pk
    instance.pk = getattr(instance, "_audit_deleted_pk", pk)  # the row id, which Django clears after delete
    try:
        log_change(instance, ObjectChange.DELETE, getattr(instance, "_audit_deleted", None), None)
    finally:
        instance.pk = pk


def log_access(
    *,
    user,
    action: str,
    obj=None,
    field: str = "",
    detail: str = "",
    record_count: int | None = None,
    region_code: str = "",
    request=None,
) -> AccessLog:
    """Record a sensitive act (unmask, export). The caller has already checked that it is allowed."""
    actor = current_actor()
    ip = actor.ip
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or ip
    if obj is not None and not region_code and hasattr(obj, "audit_region_code"):
        region_code = obj.audit_region_code()
    if not region_code and getattr(user, "region_id", None):
        region_code = user.region.code
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_name=(user.get_full_name() or user.get_username()) if getattr(user, "pk", None) else "系统",
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        field=field,
        detail=detail,
        record_count=record_count,
        ip=ip,
        region_code=region_code,
    )
