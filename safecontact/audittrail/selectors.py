"""Reads of the audit trail: the general trail, a case's own history, and sentences.

Who reads what (docs/audit-trail.md):

- The general trail (Lead, deputy, trustee) never holds an entry about a
  concern or case: those carry ``case_code`` and are left out here, in the one
  query every general list uses.
- A case's entries are read only through ``case_history``, which the concerns
  app calls after its own access check (never shown to the case's subject).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from safecontact.audittrail.models import AuditEntry

# Fields that change on every save and say nothing to a reader.
NOISE = frozenset({"updated_at", "created_at"})

VERBS = {
    AuditEntry.Action.CREATE: "added",
    AuditEntry.Action.UPDATE: "changed",
    AuditEntry.Action.DELETE: "removed",
    AuditEntry.Action.VIEW: "viewed",
    AuditEntry.Action.EXPORT: "exported the records of",
}


def general_trail(organisation: Any) -> QuerySet[AuditEntry]:
    """Every entry the general audit trail may show, newest first.

    Case entries are excluded twice: by ``case_code`` (set when written) and by
    app, so an entry someone forgot to tag still stays off this page.
    """
    case_app = Q(model__startswith="concerns.") & ~Q(model="concerns.routingsettings")
    return (
        AuditEntry.objects.filter(organisation=organisation, case_code__isnull=True)
        .exclude(case_app)
        .order_by("-at", "-id")
    )


def case_history(case: Any) -> QuerySet[AuditEntry]:
    """The audit entries of one case, oldest first.

    The caller must already have decided that the user may see ``case``.
    """
    return AuditEntry.objects.filter(
        organisation=case.organisation_id, case_code=case.code
    ).order_by("at", "id")


CASE_HISTORY_SHOWN = 50


def recent_case_history(case: Any) -> tuple[list[Line], int]:
    """The newest entries of one case as sentences, and how many there are.

    For the case page, which has already checked the user may see ``case``.
    """
    entries = case_history(case)
    newest = entries.order_by("-at", "-id")[:CASE_HISTORY_SHOWN]
    return lines(newest), entries.count()


def filter_trail(
    entries: QuerySet[AuditEntry],
    *,
    zone: ZoneInfo,
    actor: Any = None,
    model: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Narrow ``entries``; ``since``/``until`` are whole local days, inclusive."""
    if actor is not None:
        entries = entries.filter(actor=actor)
    if model:
        entries = entries.filter(model=model)
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(at__gte=dt.datetime.combine(since, dt.time.min, zone))
    if until:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, zone)
        entries = entries.filter(at__lt=end)
    return entries


@functools.cache
def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def record_kind(label: str) -> str:
    """ "people.person" -> "person": the model's own name for itself."""
    model = _model(label)
    return str(model._meta.verbose_name) if model else "record"


def field_label(label: str, attname: str) -> str:
    """A field's label as a reader knows it: "DBS certificate number"."""
    return _field(label, attname)[0]


@functools.cache
def _field(label: str, attname: str) -> tuple[str, bool]:
    """(label, is a link to another record) of a model's field."""
    model = _model(label)
    if model is not None:
        for field in model._meta.concrete_fields:
            if attname in (field.attname, field.name):
                name = str(field.verbose_name)
                return name[:1].upper() + name[1:], field.is_relation
    return attname.removesuffix("_id").replace("_", " ").capitalize(), False


def shown(value: Any) -> str:
    """A stored value in plain words: yes/no, lists joined, "(empty)"."""
    if value is None or value in ("", [], {}):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class Change:
    """One changed field. A link to another record shows no values: its raw
    database id means nothing to a reader (the technical detail has it)."""

    label: str
    old: str
    new: str
    link: bool = False


@dataclass(frozen=True)
class Line:
    """One audit entry as a sentence, with the changed fields for detail."""

    entry: AuditEntry
    actor: str
    verb: str
    record: str
    kind: str
    changes: tuple[Change, ...]

    @property
    def fields_text(self) -> str:
        labels = [c.label[:1].lower() + c.label[1:] for c in self.changes]
        if len(labels) <= 1:
            return "".join(labels)
        return ", ".join(labels[:-1]) + " and " + labels[-1]


def _changes(entry: AuditEntry) -> tuple[Change, ...]:
    before, after = entry.before or {}, entry.after or {}
    if not before or not isinstance(after, dict):
        return ()
    changes = []
    for key, value in after.items():
        if key in NOISE or before.get(key) == value:
            continue
        label, link = _field(entry.model, key)
        changes.append(Change(label, shown(before.get(key)), shown(value), link))
    return tuple(changes)


def lines(entries: Iterable[AuditEntry]) -> list[Line]:
    """Sentences for a page of entries; no queries beyond the entries."""
    return [
        Line(
            entry=entry,
            actor=entry.actor_label,
            verb=VERBS.get(entry.action, entry.action),  # type: ignore[call-overload]
            record=entry.object_label,
            kind=record_kind(entry.model),
            changes=_changes(entry),
        )
        for entry in entries
    ]


# Apps whose records never reach the general trail, or are not records.
_NOT_LISTED = frozenset({"concerns", "audittrail"})


def model_choices() -> list[tuple[str, str]]:
    """The kinds of record the general trail can hold, for its filter (no query)."""
    return sorted(
        (
            (model._meta.label_lower, record_kind(model._meta.label_lower).capitalize())
            for model in apps.get_models()
            if model.__module__.startswith("safecontact.")
            and model._meta.app_label not in _NOT_LISTED
        ),
        key=lambda pair: pair[1],
    )
