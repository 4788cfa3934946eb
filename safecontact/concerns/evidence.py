"""Look up the record a piece of evidence points at, if its app provides it.

Cases store evidence as kind + code so this app never depends on the contact
or ledger tables; when those models exist (``contact.Alert``,
``ledger.LedgerEntry``, each with a ``code``) the record is found and shown.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError

MODELS = {"alert": ("contact", "Alert"), "ledger_entry": ("ledger", "LedgerEntry")}
_WHEN_FIELDS = ("occurred_at", "created_at", "at", "sent_at", "raised_at")


@dataclass(frozen=True)
class Resolved:
    label: str
    occurred_at: datetime.datetime | None
    url: str


def _model(kind: str) -> Any:
    app_label, name = MODELS[kind]
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _find(kind: str, ref: str, organisation: Any) -> Any:
    model = _model(kind)
    if model is None:
        return None
    fields = {f.name for f in model._meta.get_fields()}
    lookup: dict[str, Any] = {"code": ref}
    if "organisation" in fields:
        lookup["organisation"] = organisation
    return model._default_manager.filter(**lookup).first()


def validate(kind: str, ref: str, organisation: Any) -> None:
    """Refuse unknown kinds, malformed codes and records of another organisation."""
    if kind not in MODELS:
        raise ValidationError({"evidence": "That kind of evidence is not known."})
    try:
        uuid.UUID(str(ref))
    except ValueError:
        raise ValidationError(
            {"evidence": "That evidence reference is not valid."}
        ) from None
    if _model(kind) is not None and _find(kind, ref, organisation) is None:
        raise ValidationError({"evidence": "We could not find that record."})


def resolve(kind: str, ref: str, organisation: Any) -> Resolved | None:
    obj = _find(kind, ref, organisation) if kind in MODELS else None
    if obj is None:
        return None
    when = next((getattr(obj, f) for f in _WHEN_FIELDS if getattr(obj, f, None)), None)
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    return Resolved(label=str(obj), occurred_at=when, url=url)
