"""The change log (变更记录) and the access log (敏感信息访问记录).

Every save or delete of a ``ChangeLoggedModel`` writes an ``ObjectChange`` with the values before and after, through
model signals, so views, services, commands and jobs are all covered. Bulk writers (imports) call
``log_changes`` themselves with the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .context import current_actor
from .models import AccessLog, ChangeLoggedModel, ObjectChange

__all__ = ["actor_fields", "build_change", "log_access", "log_change", "log_changes"]


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
    *, user, action: str, obj=None, field: str = "", detail: str = "", record_count: int | None = None,
    region_code: str = "", request=None,
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
