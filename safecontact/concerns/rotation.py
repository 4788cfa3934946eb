"""Re-encrypt stored case data with the newest key (see ``crypto`` for the steps)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction

from safecontact.concerns.crypto import (
    encrypted_field_names,
    is_on_newest_key,
    rotate_token,
)
from safecontact.concerns.models import (
    Action,
    Attachment,
    Case,
    ChronologyEntry,
    Decision,
    Referral,
)
from safecontact.notifications.models import Notification

TEXT_MODELS: tuple[type[models.Model], ...] = (
    Case,
    ChronologyEntry,
    Action,
    Decision,
    Referral,
    # Invitation and password-reset links waiting to be emailed.
    Notification,
)


def _raw_rows(model: type[models.Model], columns: list[str]) -> list[tuple]:
    # Raw SQL so we see the stored tokens, not the decrypted values.
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in ["id", *columns])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {quote(model._meta.db_table)}")  # noqa: S608
        return list(cursor.fetchall())


def _stale(token: Any) -> bool:
    if token in (None, "", b""):
        return False
    raw = token.encode() if isinstance(token, str) else bytes(token)
    return not is_on_newest_key(raw)


def _rotate_text_model(model: type[models.Model], apply: bool) -> int:
    names = sorted(encrypted_field_names(model))
    columns = [str(model._meta.get_field(n).column) for n in names]  # type: ignore[union-attr]
    stale_ids = [
        row[0] for row in _raw_rows(model, columns) if any(map(_stale, row[1:]))
    ]
    if apply:
        for obj in model._default_manager.filter(pk__in=stale_ids):
            obj.save(update_fields=names)  # saving encrypts with the newest key
    return len(stale_ids)


def _rotate_attachments(apply: bool) -> int:
    stale = [row for row in _raw_rows(Attachment, ["data"]) if _stale(row[1])]
    if apply:
        for pk, token in stale:
            Attachment.objects.filter(pk=pk).update(data=rotate_token(bytes(token)))
    return len(stale)


@transaction.atomic
def rotate_case_keys(*, apply: bool = False) -> dict[str, int]:
    """Rows still (partly) encrypted with an older key, by model; rotated if ``apply``."""
    counts = {m._meta.label: _rotate_text_model(m, apply) for m in TEXT_MODELS}
    counts[Attachment._meta.label] = _rotate_attachments(apply)
    return counts
