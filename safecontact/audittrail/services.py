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


CASE_MODEL = "concerns.case"


def _case_code(obj: models.Model, case: Any) -> uuid.UUID | None:
    """The code of the case ``obj`` belongs to: itself, its ``case``, or none."""
    if case is None and obj._meta.label_lower == CASE_MODEL:
        case = obj
    if case is None and getattr(obj, "case_id", None) is not None:
        case = obj.case  # type: ignore[attr-defined]
    if case is None:
        return None
    code = case.code
    return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))


def record_change(
    *,
    actor: Any,
    organisation: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    case: Any = None,
    job: str = "",
) -> AuditEntry:
    """Write one audit entry. ``case``: the concern/case it belongs to, if any.

    An entry with a case is kept off the general audit trail; only the people
    allowed to see that case read it (``selectors.case_history``). ``job``
    names, in plain words, the scheduled job that wrote it when ``actor`` is
    None (the system).
    """
    system = f"system ({job})" if job else "system"
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else system,
        action=action,
        model=obj._meta.label_lower,
        object_code=str(getattr(obj, "code", obj.pk)),
        object_label=str(obj)[:300],
        before=before,
        after=after,
        case_code=_case_code(obj, case),
    )


def save_and_record(
    *,
    actor: Any,
    organisation: Any,
    obj: models.Model,
    before: dict[str, Any] | None,
    action: str | None = None,
    exclude: set[str] | frozenset[str] = frozenset(),
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
    case: Any = None,
) -> AuditEntry:
    """Save ``obj`` and write its audit entry, in the caller's transaction.

    The one way to save and audit: modules call it rather than wrapping it or
    pairing ``save()`` with ``record_change`` (``tests/test_one_way_to_audit``).

    ``before`` is ``snapshot(obj)`` taken before the change, or None for a new
    object; ``action`` defaults to "create" or "update" accordingly. An object
    already inserted (``objects.create``) is not saved again; a "delete" is
    only recorded (the caller deletes). ``after`` replaces the snapshot when
    the record has more to say (many-to-many fields); ``extra`` is added to
    the snapshot taken after saving (so fields set on save, like
    ``updated_at``, are current). ``actor`` None is the system (a job).
    """
    action = action or ("create" if before is None else "update")
    if action == "delete":
        after = None
    else:
        if obj._state.adding or before is not None:
            obj.save(update_fields=update_fields)
        after = after if after is not None else snapshot(obj, exclude=exclude)
        after = after | extra if extra else after

    return record_change(
        actor=actor,
        organisation=organisation,
        obj=obj,
        action=action,
        before=before,
        after=after,
        case=case,
    )


def record_access(
    *,
    actor: Any,
    organisation: Any,
    obj: models.Model,
    action: str = "view",
    case: Any = None,
) -> AuditEntry:
    """Record that someone viewed or exported a protected record."""
    return record_change(
        actor=actor,
        organisation=organisation,
        obj=obj,
        action=action,
        before=None,
        after=None,
        case=case,
    )
