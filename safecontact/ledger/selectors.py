"""Reads of the contact log: filtered lists, subject histories, chain checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from safecontact.accounts.models import Organisation
from safecontact.ledger.models import ChainHead, LedgerEntry, LedgerSubject, payload_of
from safecontact.lib.dates import clamp
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

    @property
    def problem_text(self) -> str:
        return PROBLEM_TEXT.get(self.result.problem or "", "")

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
    subjects: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[LedgerEntry]:
    """Newest first. ``since``/``until`` are whole days, inclusive, in local time."""
    entries = entries_for(organisation)
    if kind:
        entries = entries.filter(kind=kind)
    for code in subjects:
        entries = entries.filter(pk__in=_with_subject(organisation, code))
    zone = ZoneInfo(organisation.timezone)
    if since:
        start = dt.datetime.combine(clamp(since), dt.time.min, tzinfo=zone)
        entries = entries.filter(created_at__gte=start)
    if until:
        end = dt.datetime.combine(
            clamp(until) + dt.timedelta(days=1), dt.time.min, tzinfo=zone
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


def check_around(entry: LedgerEntry) -> ChainStatus:
    """Check one entry and its links to the entries either side of it.

    Cheap enough for every page view; ``verify_chain`` checks everything.
    """
    organisation = entry.organisation
    first = max(entry.seq - 1, 1)
    rows = list(_stream(organisation, after=first - 1, upto=entry.seq + 1))
    # Trust what the earliest row in the window says about the row before it:
    # the window cannot see further back, and verify_chain covers that.
    after = (first - 1, rows[0][1]) if rows and first > 1 else None
    return ChainStatus(organisation, verify(rows, after=after))


def subject_names(organisation: Organisation, codes: set[str]) -> dict[str, str]:
    """Names of the people and groups with these codes, for display."""
    from safecontact.groups.models import Group
    from safecontact.people.models import Person

    valid = [code for code in codes if _is_uuid(code)]
    names = {
        str(p.code): str(p)
        for p in Person.objects.filter(organisation=organisation, code__in=valid)
    }
    names.update(
        (str(code), name)
        for code, name in Group.objects.filter(
            organisation=organisation, code__in=valid
        ).values_list("code", "name")
    )
    return names


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def content_items(content: Any) -> list[tuple[str, str, bool]]:
    """An entry's top-level content as (label, text, is_block) a Lead can read."""
    if not isinstance(content, dict):
        content = {"content": content}
    items = []
    for key, value in content.items():
        text = _as_text(value)
        items.append((key.replace("_", " ").capitalize(), text, "\n" in text))
    return items


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=2)
