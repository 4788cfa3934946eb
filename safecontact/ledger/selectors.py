"""Reads of the contact log: filtered lists, subject histories, chain checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from safecontact.accounts.models import Organisation
from safecontact.ledger.models import ChainHead, LedgerEntry, LedgerSubject, payload_of
from safeguarding.ledger import VerifyResult, verify

_COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "kind",
    "content",
    "subjects",
    "actor_label",
    "created_at",
)

PROBLEM_TEXT = {
    "edited": "it was changed after it was written",
    "missing": "it is missing: it was deleted",
    "reordered": "entries were moved around from here on",
    "bad_link": "it does not follow from the entry before it",
}


@dataclass(frozen=True)
class ChainStatus:
    organisation: Organisation
    result: VerifyResult

    @property
    def ok(self) -> bool:
        return self.result.ok

    def describe(self) -> str:
        """One plain sentence, safe to print: no entry contents."""
        if self.result.ok:
            return f"OK: {self.result.checked_count} entries verified."
        problem = PROBLEM_TEXT[self.result.problem or "edited"]
        return (
            f"BROKEN at entry {self.result.first_bad_seq} ({self.result.problem}): "
            f"{problem}. {self.result.checked_count} entries before it verified."
        )


def entries_for(organisation: Organisation) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(organisation=organisation).select_related(
        "organisation"
    )


def filter_entries(
    organisation: Organisation,
    *,
    kind: str = "",
    subject: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[LedgerEntry]:
    """Newest first. ``since``/``until`` are whole days, inclusive, in local time."""
    entries = entries_for(organisation)
    if kind:
        entries = entries.filter(kind=kind)
    if subject:
        entries = entries.filter(pk__in=_with_subject(organisation, subject))
    zone = ZoneInfo(organisation.timezone)
    if since:
        start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
        entries = entries.filter(created_at__gte=start)
    if until:
        end = dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        entries = entries.filter(created_at__lt=end)
    return entries.order_by("-seq")


def _with_subject(organisation: Organisation, code: str) -> QuerySet[Any]:
    return LedgerSubject.objects.filter(
        organisation=organisation, subject_code=code
    ).values("entry_id")


def history_for(organisation: Organisation, code: str) -> QuerySet[LedgerEntry]:
    """Every entry concerning the person or group ``code``, oldest first."""
    return (
        entries_for(organisation)
        .filter(pk__in=_with_subject(organisation, code))
        .order_by("seq")
    )


def kinds_in_use(organisation: Organisation) -> list[str]:
    return sorted(
        entries_for(organisation).order_by().values_list("kind", flat=True).distinct()
    )


def _stream(
    organisation: Organisation, *, upto: int | None = None, after: int = 0
) -> Iterator[tuple[Any, ...]]:
    rows = LedgerEntry.objects.filter(organisation=organisation, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    code = str(organisation.code)
    for seq, prev_hash, hash_, kind, content, subjects, actor, at in (
        rows.order_by("seq").values_list(*_COLUMNS).iterator(chunk_size=2000)
    ):
        payload = payload_of(
            organisation_code=code,
            kind=kind,
            content=content,
            subjects=subjects,
            actor_label=actor,
            created_at=at,
        )
        yield seq, prev_hash, hash_, payload


def verify_chain(organisation: Organisation) -> ChainStatus:
    """Check the organisation's whole chain, in constant memory.

    The chain is checked up to the stored head (which reveals entries cut off
    its end), then anything after the head: entries appended while we read,
    which must continue the chain, or rows slipped in behind the log's back.
    """
    head = ChainHead.objects.filter(organisation=organisation).first()
    if head is None:
        return ChainStatus(organisation, verify(_stream(organisation)))
    upto = verify(_stream(organisation, upto=head.seq), head_hash=head.hash)
    if not upto.ok:
        return ChainStatus(organisation, upto)
    tail = verify(_stream(organisation, after=head.seq), after=(head.seq, head.hash))
    checked = upto.checked_count + tail.checked_count
    return ChainStatus(organisation, replace(tail, checked_count=checked))
