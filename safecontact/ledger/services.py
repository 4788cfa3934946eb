"""Writes to the contact log. ``append_entry`` (or ``prepare_entry`` then
``write_entry``) is the only way entries are made."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from safecontact.audittrail.services import record_access
from safecontact.ledger import checkpoints, selectors
from safecontact.ledger.models import (
    ChainCheck,
    ChainHead,
    LedgerEntry,
    LedgerSubject,
    message_code_of,
    payload_of,
)
from safecontact.lib import rawsql
from safeguarding.ledger import LedgerError, canonical, entry_hash_with, normalise

HEADS = ChainHead._meta.db_table
_KIND = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")


def _subject_codes(subjects: Sequence[str | UUID]) -> list[str]:
    codes: list[str] = []
    for subject in subjects:
        code = str(subject)
        if not code or len(code) > 64:
            raise LedgerError("subject codes must be 1 to 64 characters")
        if code not in codes:
            codes.append(code)
    return codes


def _lock_head(organisation: Any) -> ChainHead:
    # Lock the head row: on PostgreSQL concurrent appenders queue here until
    # commit. On SQLite the IMMEDIATE transaction has already serialised
    # writers. Only an organisation's first entry has no head yet: create it
    # (a no-op if another writer is creating it right now) and lock that.
    # The head is read in hand-written SQL (every send appends an entry):
    # ChainHead.objects.select_for_update().filter(organisation=...).
    head = _locked_head(organisation.pk)
    if head is not None:
        return head
    ChainHead.objects.bulk_create(
        [ChainHead(organisation=organisation)], ignore_conflicts=True
    )
    head = _locked_head(organisation.pk)
    if head is None:  # pragma: no cover - the row was just made
        raise ChainHead.DoesNotExist
    return head


def _locked_head(organisation_id: int) -> ChainHead | None:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = rawsql.fetch(
        f'SELECT {rawsql.columns(ChainHead, "h")} FROM "{HEADS}" h'  # noqa: S608
        f' WHERE h."organisation_id" = %s{lock}',
        [organisation_id],
    )
    return rawsql.instance(ChainHead, rows[0]) if rows else None


def append_entry(
    *,
    organisation: Any,
    kind: str,
    content: Mapping[str, Any],
    subjects: Sequence[str | UUID] = (),
    actor: Any = None,
) -> LedgerEntry:
    """Add an entry to the end of ``organisation``'s chain and return it.

    Call it inside the transaction that makes the change being recorded, so the
    entry exists exactly when the change does; it holds the chain's lock until
    that transaction ends, so keep slow work (SMTP) out of it. ``content`` must
    be JSON-like with aware datetimes, UUIDs, dates or Decimals (no floats);
    ``subjects`` are the person and group codes it concerns. ``actor`` is the
    User responsible, or None for the system. Raises ``LedgerError`` for
    content that cannot be hashed.
    """
    pending = prepare_entry(
        organisation=organisation,
        kind=kind,
        content=content,
        subjects=subjects,
        actor=actor,
    )
    return write_entry(pending)


@dataclasses.dataclass(frozen=True, slots=True)
class PendingEntry:
    """An entry made ready before the chain's lock is taken (``prepare_entry``):
    everything but its place in the chain (seq, previous hash, hash) and its
    time, which are fixed under the lock by ``write_entry``."""

    entry: LedgerEntry
    subjects: list[LedgerSubject]
    content_json: bytes  # canonical JSON of the stored content, for the hash
    entry_insert: rawsql.Insert
    subjects_insert: rawsql.Insert


def prepare_entry(
    *,
    organisation: Any,
    kind: str,
    content: Mapping[str, Any],
    subjects: Sequence[str | UUID] = (),
    actor: Any = None,
) -> PendingEntry:
    """``append_entry``'s checks and work that need neither the database nor
    the chain's head: call it before the write transaction (and its lock),
    then ``write_entry`` inside it. Raises ``LedgerError`` as append_entry."""
    if not _KIND.fullmatch(kind) or len(kind) > 64:
        raise LedgerError(f"kind must look like 'message.attempt', not {kind!r}")
    stored_content = normalise(dict(content))
    codes = _subject_codes(subjects)
    actor_label = str(actor)[:200] if actor is not None else "system"
    entry = LedgerEntry(
        organisation=organisation,
        kind=kind,
        content=stored_content,
        subjects=codes,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label,
        message_code=message_code_of(stored_content),
    )
    rows = [
        LedgerSubject(entry=entry, organisation=organisation, subject_code=code)
        for code in codes
    ]
    return PendingEntry(
        entry=entry,
        subjects=rows,
        content_json=canonical(stored_content),  # type: ignore[arg-type]
        entry_insert=rawsql.prepare_insert(LedgerEntry, [entry], later=_IN_CHAIN),
        subjects_insert=rawsql.prepare_insert(LedgerSubject, rows),
    )


# The columns only known once the chain's head is read under its lock.
_IN_CHAIN = ("seq", "prev_hash", "hash", "created_at")


def write_entry(pending: PendingEntry) -> LedgerEntry:
    """Put a prepared entry at the end of its chain: read the head under its
    lock, hash, insert, move the head. A ``PendingEntry`` is written once."""
    entry = pending.entry
    if entry.pk is not None:
        raise LedgerError("this entry has been written already")
    with transaction.atomic(savepoint=False):
        head = _lock_head(entry.organisation)
        entry.seq = head.seq + 1
        entry.prev_hash = head.hash
        entry.created_at = timezone.now()
        payload = payload_of(
            organisation_code=str(entry.organisation.code),
            kind=entry.kind,
            content=None,
            subjects=entry.subjects,
            actor_label=entry.actor_label,
            created_at=entry.created_at,
        )
        entry.hash = entry_hash_with(
            entry.prev_hash, entry.seq, payload, content=pending.content_json
        )
        # Inserts and the head's update in hand-written SQL, one statement
        # each: the ORM's building of them cost more CPU than the database's.
        rawsql.run(pending.entry_insert)
        rawsql.run(pending.subjects_insert)
        rawsql.execute(
            f'UPDATE "{HEADS}" SET "seq" = %s, "hash" = %s'  # noqa: S608
            ' WHERE "organisation_id" = %s',
            [entry.seq, entry.hash, head.pk],
        )
    return entry


@transaction.atomic
def record_history_export(*, actor: Any, subject: models.Model) -> None:
    """Note in the audit trail that ``actor`` exported ``subject``'s contact history."""
    record_access(
        actor=actor,
        organisation=subject.organisation,  # type: ignore[attr-defined]
        obj=subject,
        action="export",
    )


def checkpoint_ledger(
    *, organisation: Any, full: bool, progress: selectors.Progress | None = None
) -> selectors.ChainStatus:
    """Check the organisation's log and, if it holds, sign a checkpoint of it.

    ``full`` checks the whole chain; otherwise only what was added since the
    newest checkpoint. Nothing is signed when the check fails (a checkpoint
    must never vouch for a tampered log), or when nothing changed since the
    newest checkpoint and only the new entries were checked. Returns the
    ``ChainStatus``.
    """
    check = selectors.verify_chain if full else selectors.verify_since_checkpoint
    status = check(organisation, progress)
    newest = status.checkpoint
    unchanged = newest is not None and (newest.last_seq, newest.head_hash) == (
        status.last_seq,
        status.head_hash,
    )
    if status.ok and not (unchanged and not full):
        checkpoints.append(
            organisation_code=str(organisation.code),
            count=status.last_seq,
            last_seq=status.last_seq,
            head_hash=status.head_hash,
            verified="since_checkpoint" if status.since_checkpoint else "full",
        )
    return status


# --- Checking the whole log in the background --------------------------------------


@transaction.atomic(durable=True)
def request_chain_check(*, actor: Any, organisation: Any) -> ChainCheck:
    """Queue a check of the whole log; one waiting or running check at a time."""
    running = ChainCheck.objects.filter(
        organisation=organisation,
        status__in=[ChainCheck.Status.QUEUED, ChainCheck.Status.RUNNING],
    ).first()
    if running is not None:
        return running
    check = ChainCheck.objects.create(organisation=organisation, requested_by=actor)
    transaction.on_commit(lambda: _enqueue_check(check.pk))
    return check


def _enqueue_check(check_id: int) -> None:
    from safecontact.ledger.tasks import check_chain  # tasks import services

    check_chain.enqueue(check_id)


def run_chain_check(check_id: int) -> ChainCheck | None:
    """Check the whole log, recording progress after each chunk read; sign a
    checkpoint when it holds (as ``verify_ledger`` does)."""
    claimed = ChainCheck.objects.filter(
        pk=check_id, status=ChainCheck.Status.QUEUED
    ).update(status=ChainCheck.Status.RUNNING)
    if not claimed:
        return None
    check = ChainCheck.objects.select_related("organisation").get(pk=check_id)
    head = ChainHead.objects.filter(organisation=check.organisation).first()
    ChainCheck.objects.filter(pk=check_id).update(total=head.seq if head else 0)

    def progress(seq: int) -> None:
        ChainCheck.objects.filter(pk=check_id).update(checked=seq)

    status = checkpoint_ledger(
        organisation=check.organisation, full=True, progress=progress
    )
    ChainCheck.objects.filter(pk=check_id).update(
        status=ChainCheck.Status.DONE,
        ok=status.ok,
        checked=status.result.checked_count,
        first_bad_seq=status.result.first_bad_seq,
        problem=(status.problem_text or "the signed checkpoints were changed")[:300]
        if not status.ok
        else "",
        finished_at=timezone.now(),
    )
    check.refresh_from_db()
    return check
