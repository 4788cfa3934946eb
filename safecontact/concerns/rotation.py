"""Re-encrypt stored case data with the newest key (see ``crypto`` for the steps).

Everything the case-file keys encrypt: case files, links waiting to be
emailed, group audits' file names and findings, and uploaded chat exports
still waiting for their audit (files on disk, sealed again whole).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction

from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.audits.sealed import SealError, on_newest_key, reseal_beside
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
    # A group audit's file name and its findings' senders and lines.
    GroupAudit,
    AuditFinding,
)
UPLOADS = "audits.GroupAudit upload"


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


def _rotate_uploads(apply: bool) -> int:
    """Uploaded exports waiting for their audit, sealed with an older key.

    Each is sealed again into a new file beside it with no transaction open,
    so the database is not locked while files are written (on SQLite a
    running audit's progress writes would otherwise wait past the busy
    timeout). Then, in one short transaction per file, the audit's row is
    locked and, if it still waits for that file, the new file is moved over
    the old one; if the audit finished meanwhile (and deleted its file), the
    new one is deleted. A worker reads on from the file it opened, or from
    the new one: same text."""
    stale = []
    for code, name in GroupAudit.objects.exclude(upload_path="").values_list(
        "code", "upload_path"
    ):
        path = Path(name)
        try:
            if not path.is_file() or on_newest_key(path):
                continue
            stale.append(path)
            if apply:
                _swap(code, path, reseal_beside(path))
        except FileNotFoundError:
            continue  # its audit finished meanwhile and deleted it
        except SealError as error:
            raise SealError(f"The upload waiting for audit {code}: {error}") from None
    return len(stale)


def _swap(code: Any, path: Path, new: Path) -> None:
    with transaction.atomic():
        waiting = GroupAudit.objects.select_for_update().filter(
            code=code, upload_path=str(path)
        )
        if waiting.exists():
            os.replace(new, path)
            return
    new.unlink(missing_ok=True)  # its audit finished: nothing waits for it


def rotate_case_keys(*, apply: bool = False) -> dict[str, int]:
    """Rows still (partly) encrypted with an older key, by model, and waiting
    uploads (``UPLOADS``); rotated if ``apply``. A waiting upload that cannot
    be read raises ``SealError``: nothing in the database is rotated then
    (the uploads sealed again before it stay so, each whole)."""
    counts = {UPLOADS: _rotate_uploads(apply)}
    with transaction.atomic():
        counts |= {m._meta.label: _rotate_text_model(m, apply) for m in TEXT_MODELS}
        counts[Attachment._meta.label] = _rotate_attachments(apply)
    return counts
