"""Reads of the contact log: filtered lists, subject histories, chain checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet

from safecontact.accounts.models import Organisation
from safecontact.contact.models import Message
from safecontact.ledger import checkpoints
from safecontact.ledger.models import (
    ChainHead,
    LedgerEntry,
    LedgerSubject,
    message_code_of,
    payload_of,
)
from safecontact.lib.dates import clamp, org_zone
from safeguarding.ledger import (
    GENESIS,
    Checkpoint,
    Entry,
    Problem,
    VerifyResult,
    body_fingerprint,
    check_anchor,
    normalise,
    verify,
)

_COLUMNS = (
    "id",
    "seq",
    "prev_hash",
    "hash",
    "kind",
    "content",
    "subjects",
    "actor_label",
    "created_at",
    "message_code",
)
CHUNK = 2000
# Called with the last seq read, after each chunk, by long checks.
Progress = Callable[[int], None]

PROBLEM_TEXT = {
    "edited": "it was changed after it was written",
    "missing": "it is missing: it was deleted",
    "reordered": "entries were moved around from here on",
    "bad_link": "it does not follow from the entry before it",
    "truncated": (
        "it is missing: a signed checkpoint shows the log once had it, so "
        "entries were removed from the end of the log"
    ),
    "rehashed": (
        "it is not the entry a signed checkpoint recorded: the log was "
        "rewritten from here or earlier"
    ),
    "body_changed": "the message it records was changed after it was logged",
    "index_changed": (
        "the list of people and groups it is about was changed or deleted"
    ),
}


@dataclass(frozen=True)
class ChainStatus:
    organisation: Organisation
    result: VerifyResult
    # The newest signed checkpoint the chain was checked against, if any, and
    # why the checkpoint file itself cannot be trusted, if it cannot.
    checkpoint: Checkpoint | None = None
    checkpoint_problem: str = ""
    last_seq: int = 0
    head_hash: str = GENESIS
    # Only the entries after ``checkpoint`` were checked.
    since_checkpoint: bool = False

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.checkpoint_problem

    @property
    def problem_text(self) -> str:
        return PROBLEM_TEXT.get(self.result.problem or "", "")

    def describe(self) -> str:
        """One plain sentence, safe to print: no entry contents."""
        if self.checkpoint_problem:
            return f"CHECKPOINTS UNTRUSTWORTHY: {self.checkpoint_problem}"
        if self.result.ok and self.since_checkpoint and self.checkpoint is not None:
            return (
                f"OK: {self.result.checked_count} new entries verified since the "
                f"signed checkpoint of {self.checkpoint.at[:16]} UTC, whose "
                f"{self.checkpoint.count} entries are still in place."
            )
        if self.result.ok:
            text = f"OK: {self.result.checked_count} entries verified."
            if self.checkpoint is not None:
                text += (
                    f" It matches the signed checkpoint of {self.checkpoint.at[:16]}"
                    f" UTC ({self.checkpoint.count} entries)."
                )
            return text
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
    zone = org_zone(organisation)
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


class _Rows:
    """Reads an organisation's entries in seq order, a chunk at a time.

    Yields what the hash chain needs and, per chunk, checks what the hash does
    not cover: the stored message each entry fingerprinted, the subject index
    and the message link. The first such problem (lowest seq) is kept.
    """

    def __init__(
        self, organisation: Organisation, progress: Progress | None = None
    ) -> None:
        self.organisation = organisation
        self.progress = progress
        self.code = str(organisation.code)
        self.side: tuple[int, Problem] | None = None
        self.last: tuple[int, str] = (0, GENESIS)

    def stream(
        self, *, upto: int | None = None, after: int = 0
    ) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        rows = LedgerEntry.objects.filter(organisation=self.organisation, seq__gt=after)
        if upto is not None:
            rows = rows.filter(seq__lte=upto)
        chunk: list[tuple[Any, ...]] = []
        for row in rows.order_by("seq").values_list(*_COLUMNS).iterator(CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield from self._chunk(chunk)
                chunk = []
        yield from self._chunk(chunk)

    def _chunk(
        self, chunk: list[tuple[Any, ...]]
    ) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        if not chunk:
            return
        self._side_checks(chunk)
        if self.progress is not None:
            self.progress(chunk[-1][1])
        for _id, seq, prev, hash_, kind, content, subjects, actor, at, _m in chunk:
            self.last = (seq, hash_)
            yield (
                seq,
                prev,
                hash_,
                stored_payload(self.code, kind, content, subjects, actor, at),
            )

    def _side_checks(self, chunk: list[tuple[Any, ...]]) -> None:
        index = _subject_index([row[0] for row in chunk], self.organisation.pk)
        bodies = _fingerprints(self.organisation, chunk)
        for pk, seq, _p, _h, _k, content, subjects, _a, _at, message_code in chunk:
            if self.side is not None and self.side[0] <= seq:
                return
            codes = set(subjects) if isinstance(subjects, list) else None
            if index.get(pk, set()) != codes or message_code != message_code_of(
                content
            ):
                self.side = (seq, "index_changed")
            elif _body_changed(content, bodies):
                self.side = (seq, "body_changed")


def stored_payload(
    code: str, kind: str, content: Any, subjects: Any, actor: str, at: Any
) -> dict[str, Any]:
    """The hashed payload of a stored row, ready for ``stored_entry_hash``."""
    return payload_of(
        organisation_code=code,
        kind=kind,
        content=content,
        subjects=subjects,
        actor_label=actor,
        created_at=normalise(at),
    )


def _subject_index(entry_ids: list[int], organisation_id: int) -> dict[int, set[str]]:
    index: dict[int, set[str]] = {}
    rows = LedgerSubject.objects.filter(entry_id__in=entry_ids).values_list(
        "entry_id", "subject_code", "organisation_id"
    )
    for entry_id, code, org_id in rows:
        # A row moved to another organisation no longer indexes this entry.
        if org_id == organisation_id:
            index.setdefault(entry_id, set()).add(code)
    return index


def _fingerprints(
    organisation: Organisation, chunk: list[tuple[Any, ...]]
) -> dict[str, str]:
    """The current fingerprint of each stored message the chunk's entries name."""
    codes = {
        row[5]["message"]
        for row in chunk
        if isinstance(row[5], dict) and "body_sha256" in row[5]
    }
    valid = [code for code in codes if isinstance(code, str) and _is_uuid(code)]
    if not valid:
        return {}
    rows = Message.objects.filter(organisation=organisation, code__in=valid)
    return {
        str(code): body_fingerprint(subject, body)
        for code, subject, body in rows.values_list("code", "subject", "body")
    }


def _body_changed(content: Any, bodies: dict[str, str]) -> bool:
    if not isinstance(content, dict) or "body_sha256" not in content:
        return False
    now = bodies.get(str(content.get("message")))
    # A message that no longer exists (retention) cannot be compared.
    return now is not None and now != content["body_sha256"]


def _combine(status: VerifyResult, rows: _Rows) -> VerifyResult:
    """The chain's own result, unless an earlier entry failed a side check."""
    if rows.side is None:
        return status
    seq, problem = rows.side
    if not status.ok and (status.first_bad_seq or 0) <= seq:
        return status
    return VerifyResult(False, seq, problem, seq - 1)


def verify_chain(
    organisation: Organisation, progress: Progress | None = None
) -> ChainStatus:
    """Check the organisation's whole chain, in constant memory.

    The chain is checked against the newest signed checkpoint (read first, so
    it can only be older than the head), up to the stored head (which reveals
    entries cut off its end), then anything after the head: entries appended
    while we read, which must continue the chain, or rows slipped in behind
    the log's back. Each entry's message fingerprint and subject index are
    checked on the way.
    """
    reading = checkpoints.read(str(organisation.code))
    if reading.problem:
        return ChainStatus(
            organisation,
            VerifyResult(False, None, None, 0),
            reading.newest,
            reading.problem,
        )
    newest = reading.newest
    anchor = (newest.last_seq, newest.head_hash) if newest else None
    head = ChainHead.objects.filter(organisation=organisation).first()
    rows = _Rows(organisation, progress)
    if head is None:
        result = verify(rows.stream(), anchor=anchor, stored=True)
        return _status(organisation, _combine(result, rows), newest, rows)
    upto = verify(
        rows.stream(upto=head.seq), head_hash=head.hash, anchor=anchor, stored=True
    )
    if not upto.ok:
        return _status(organisation, _combine(upto, rows), newest, rows)
    tail = verify(rows.stream(after=head.seq), after=(head.seq, head.hash), stored=True)
    checked = upto.checked_count + tail.checked_count
    result = _combine(replace(tail, checked_count=checked), rows)
    return _status(organisation, result, newest, rows)


def _status(
    organisation: Organisation,
    result: VerifyResult,
    checkpoint: Checkpoint | None,
    rows: _Rows,
) -> ChainStatus:
    seq, hash_ = rows.last
    return ChainStatus(organisation, result, checkpoint, "", seq, hash_)


def verify_since_checkpoint(
    organisation: Organisation, progress: Progress | None = None
) -> ChainStatus:
    """Check only what was added since the newest signed checkpoint.

    The checkpoint's own entry must still be there, unchanged, and every
    later entry must follow from it. Cheap when checkpoints are frequent
    (``manage.py checkpoint_ledger`` from cron); ``verify_chain`` checks all.
    """
    reading = checkpoints.read(str(organisation.code))
    if reading.problem:
        return ChainStatus(
            organisation,
            VerifyResult(False, None, None, 0),
            reading.newest,
            reading.problem,
        )
    newest = reading.newest
    if newest is None:
        return verify_chain(organisation, progress)
    anchor = (newest.last_seq, newest.head_hash)
    rows = _Rows(organisation, progress)
    stored = list(rows.stream(after=newest.last_seq - 1, upto=newest.last_seq))
    row = Entry(*stored[0]) if stored else None
    problem = check_anchor(row, anchor)
    if problem is not None:
        result = VerifyResult(False, newest.last_seq, problem, 0)
        return _status(organisation, result, newest, rows)
    rows.last = (newest.last_seq, newest.head_hash)
    result = verify(rows.stream(after=newest.last_seq), after=anchor, stored=True)
    status = _status(organisation, _combine(result, rows), newest, rows)
    return replace(status, since_checkpoint=True)


def entries_since(organisation: Organisation, seq: int) -> int:
    return LedgerEntry.objects.filter(organisation=organisation, seq__gt=seq).count()


# More new entries than this since the newest checkpoint: checking them would
# take too long for a request (measured: about 8,000 entries a second with the
# body and index checks, on SQLite on this project's machine), so pages and
# the API say how to run the check on the server instead.
REQUEST_CHECK_LIMIT = 5_000


@dataclass(frozen=True)
class QuickCheck:
    """What a page or API request can check: the entries since the checkpoint."""

    reading: checkpoints.Reading
    pending: int
    status: ChainStatus | None  # None: too many entries to check in a request


def quick_check(organisation: Organisation) -> QuickCheck:
    reading = checkpoints.read(str(organisation.code))
    since = reading.newest.last_seq if reading.newest else 0
    pending = entries_since(organisation, since)
    status = None
    if reading.problem or pending <= REQUEST_CHECK_LIMIT:
        status = verify_since_checkpoint(organisation)
    return QuickCheck(reading, pending, status)


def check_around(entry: LedgerEntry) -> ChainStatus:
    """Check one entry and its links to the entries either side of it.

    Cheap enough for every page view; ``verify_chain`` checks everything.
    """
    organisation = entry.organisation
    first = max(entry.seq - 1, 1)
    rows = _Rows(organisation)
    window = list(rows.stream(after=first - 1, upto=entry.seq + 1))
    # Trust what the earliest row in the window says about the row before it:
    # the window cannot see further back, and verify_chain covers that.
    after = (first - 1, window[0][1]) if window and first > 1 else None
    result = _combine(verify(window, after=after, stored=True), rows)
    return ChainStatus(organisation, result)


def entry_for_message(organisation_id: int, message_code: Any) -> LedgerEntry | None:
    """The first log entry that recorded this message (indexed lookup)."""
    return (
        LedgerEntry.objects.filter(
            organisation_id=organisation_id, message_code=message_code
        )
        .order_by("seq")
        .first()
    )


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
