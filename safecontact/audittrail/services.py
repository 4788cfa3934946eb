"""Write audit entries; called by every other app's services, in their transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from safecontact.audittrail.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(getattr(value, "code", value.pk))
    return value


def snapshot(
    obj: models.Model, *, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-safe data (FKs by id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name == "id":
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    return data


def record_change(
    *,
    actor: Any,
    organisation: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        model=obj._meta.label_lower,
        object_code=str(getattr(obj, "code", obj.pk)),
        object_label=str(obj)[:300],
        before=before,
        after=after,
    )


def record_access(
    *, actor: Any, organisation: Any, obj: models.Model, action: str = "view"
) -> AuditEntry:
    """Record that someone viewed or exported a protected record."""
    return record_change(
        actor=actor,
        organisation=organisation,
        obj=obj,
        action=action,
        before=None,
        after=None,
    )
