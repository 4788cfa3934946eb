"""Scan a chat export or a text file for risk indicators and personal details.

A WhatsApp export ("Export chat", .txt or .zip) is read message by message with
its senders, so risk builds up per sender as it would in the gateway; any
other text file is read a line at a time as messages from one unnamed sender.
Files are streamed: memory stays flat on a file of millions of lines, and a
message or line longer than ``MAX_LINE_CHARS`` is scanned in pieces.

Binary files (a PDF, an image, a zip that is not an export, anything with NUL
bytes or too many bytes that are not text) are refused with the reason;
UTF-16 and Windows/Latin-1 text are decoded as such (``chatlogs.files``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.audits import analysis
from safecontact.audits.analysis import name_key
from safecontact.audits.models import AuditFinding, GroupAudit, SeenMessage
from safecontact.audits.sealed import open_sealed, plain_size
from safecontact.audits.uploads import UPLOAD_FOLDER, upload_folder
from safecontact.audittrail.services import (
    record_access,
    record_change,
    save_and_record,
    snapshot,
)
from safecontact.concerns.crypto import encrypted_field_names
from safecontact.concerns.models import Case
from safecontact.concerns.services import ConcernReport, report_concern
from safecontact.contact.models import Alert
from safecontact.contact.services.inputs import hours_of
from safecontact.groups.models import Group
from safecontact.lib.access import LEADS
from safecontact.lib.dates import org_zone
from safecontact.notifications import services as notifications
from safecontact.people.models import Person
from safecontact.people.selectors import worker_clearance
from safeguarding.chatlogs import (
    ChatlogError,
    ChatMessage,
    UnparsedLine,
    parse_file,
    parse_lines,
)
from safeguarding.chatlogs.files import Source, open_binary, open_lines
from safeguarding.policy.hours import group_hours, local_day
from safeguarding.screening import ConversationRisk, Finding, RiskEvent, assess

BATCH = 4096
PEEK_LINES = 50  # enough to tell an export from other text
PLAIN_SENDER = "(text)"
MAX_LINE_CHARS = 100_000  # a longer "line" is split, so one line cannot exhaust memory
# An audit with no progress for this long lost its worker (a restart).
STALL_AFTER = dt.timedelta(minutes=10)
# An upload file older than this that no audit points at was left behind.
STRAY_AFTER = dt.timedelta(days=1)


class ScanError(Exception):
    """The file cannot be scanned; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Message:
    line_no: int
    sender: str
    text: str


@dataclass(frozen=True, slots=True)
class MessageFindings:
    message: Message
    findings: tuple[Finding, ...]
    event: RiskEvent | None


@dataclass
class ScanSummary:
    kind: str  # "whatsapp" or "text"
    messages: int = 0
    unplaced_lines: int = 0
    by_indicator: Counter[str] = field(default_factory=Counter)
    events: list[RiskEvent] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)


def detect_kind(path: Source) -> str:
    """ "whatsapp" when the file's first lines read as a chat export, else
    "text"; ``ChatlogError`` when the file is not text at all."""
    with open_lines(path) as lines:
        items = list(parse_lines(itertools.islice(lines, PEEK_LINES)))
    placed = sum(not isinstance(item, UnparsedLine) for item in items)
    return "whatsapp" if placed and placed >= len(items) / 2 else "text"


def _whatsapp_messages(path: Path, summary: ScanSummary) -> Iterator[Message]:
    for item in parse_file(path):
        if isinstance(item, ChatMessage):
            for chunk in _pieces(item.text):
                yield Message(item.line_no, item.sender, chunk)
        elif isinstance(item, UnparsedLine):
            summary.unplaced_lines += 1


def _text_messages(path: Path) -> Iterator[Message]:
    with open_lines(path) as lines:
        for line_no, line in enumerate(lines, start=1):
            for chunk in _pieces(line.rstrip("\r\n")):
                if chunk.strip():
                    yield Message(line_no, PLAIN_SENDER, chunk)


def _pieces(text: str) -> Iterator[str]:
    for start in range(0, max(len(text), 1), MAX_LINE_CHARS):
        yield text[start : start + MAX_LINE_CHARS]


def scan_path(
    path: str | Path,
    *,
    kind: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> tuple[Iterator[MessageFindings], ScanSummary]:
    """Findings message by message (only messages with findings or a risk rise),
    and a summary that is complete once the iterator is exhausted."""
    path = Path(path)
    if not path.is_file():
        raise ScanError(f"There is no file at {path}.")
    try:
        kind = detect_kind(path) if kind == "auto" else kind
    except ChatlogError as error:
        raise ScanError(
            f"This file cannot be read as a chat export or as text: {error}."
        ) from error
    summary = ScanSummary(kind=kind)
    source = (
        _whatsapp_messages(path, summary)
        if kind == "whatsapp"
        else _text_messages(path)
    )
    return _scan(source, summary, progress), summary


def _scan(
    source: Iterable[Message],
    summary: ScanSummary,
    progress: Callable[[int], None] | None,
) -> Iterator[MessageFindings]:
    risk = ConversationRisk()
    pending: deque[Message] = deque()

    def pairs() -> Iterator[tuple[str, str]]:
        for message in source:
            pending.append(message)
            yield message.sender, message.text

    try:
        for assessment in assess(pairs(), risk=risk, batch_size=BATCH):
            message = pending.popleft()
            summary.messages += 1
            summary.by_indicator.update(f.indicator for f in assessment.findings)
            if assessment.event is not None:
                summary.events.append(assessment.event)
            if assessment.findings or assessment.event is not None:
                yield MessageFindings(message, assessment.findings, assessment.event)
            if progress is not None and summary.messages % BATCH == 0:
                progress(summary.messages)
    except ChatlogError as error:
        raise ScanError(f"The file stopped being readable: {error}.") from error
    except UnicodeError as error:
        raise ScanError(f"The file is not text this tool can read: {error}") from error
    if progress is not None:
        progress(summary.messages)
    summary.levels = {
        event.sender: risk.level(event.sender).label for event in summary.events
    }


# --- Audits of a group's chat export ------------------------------------------


class AuditError(Exception):
    """The export cannot be audited; the message says why in plain words."""


def _require_lead(actor: User, organisation_id: int) -> None:
    if actor.organisation_id != organisation_id or actor.role not in LEADS:
        raise PermissionDenied("Only the Safeguarding Lead and deputies run audits.")


def check_export(path: Source) -> None:
    """Refuse at once what is plainly not a WhatsApp export (a corrupt zip, a
    zip bomb, a binary file, plain text), so nothing is queued for it."""
    try:
        kind = detect_kind(path)
    except ChatlogError as error:
        raise AuditError(f"This file cannot be read: {error}.") from error
    except UnicodeError as error:
        raise AuditError("This file is not text SafeContact can read.") from error
    if kind != "whatsapp":
        raise AuditError(
            "This file does not look like a WhatsApp export: its first lines hold "
            "no messages. In WhatsApp, open the group, choose Export chat, and "
            "upload the .txt or .zip it makes."
        )


@transaction.atomic(durable=True)
def start_audit(
    *, actor: User, group: Group, upload: Path, file_name: str
) -> GroupAudit:
    """Keep the uploaded export and queue its audit. ``upload`` is the export
    encrypted (``sealed``, as the upload handler writes it); it is moved."""
    _require_lead(actor, group.organisation_id)
    check_export(functools.partial(open_sealed, upload))
    audit = GroupAudit(
        organisation=group.organisation,
        group=group,
        uploaded_by=actor,
        file_name=file_name[:300],
        size_bytes=plain_size(upload),
        keep_until=timezone.now()
        + dt.timedelta(days=group.organisation.audit_retention_days),
    )
    target = upload_folder() / f"{audit.code}.upload"
    os.replace(upload, target)
    audit.upload_path = str(target)
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=audit,
        before=None,
        exclude=encrypted_field_names(GroupAudit) | {"upload_path"},
    )
    transaction.on_commit(lambda: _enqueue(audit.pk))
    return audit


def _enqueue(audit_id: int) -> None:
    from safecontact.audits.tasks import audit_export  # tasks import services

    audit_export.enqueue(audit_id)


def is_stalled(audit: GroupAudit, now: dt.datetime | None = None) -> bool:
    """Running with no progress for a while: its worker stopped (a restart)."""
    now = now or timezone.now()
    return (
        audit.status == GroupAudit.Status.RUNNING
        and audit.updated_at < now - STALL_AFTER
    ) or (
        audit.status == GroupAudit.Status.QUEUED
        and audit.created_at < now - STALL_AFTER
    )


@transaction.atomic(durable=True)
def restart_audit(*, actor: User, audit: GroupAudit) -> GroupAudit:
    """Queue again an audit whose worker stopped; it starts from the top."""
    _require_lead(actor, audit.organisation_id)
    if not is_stalled(audit):
        raise AuditError("This audit is still running.")
    GroupAudit.objects.filter(pk=audit.pk).update(
        status=GroupAudit.Status.QUEUED, updated_at=timezone.now()
    )
    record_access(
        actor=actor, organisation=audit.organisation, obj=audit, action="restart"
    )
    transaction.on_commit(lambda: _enqueue(audit.pk))
    return audit


def _claim(audit_id: int, now: dt.datetime) -> bool:
    stalled = Q(status=GroupAudit.Status.RUNNING, updated_at__lt=now - STALL_AFTER)
    return (
        GroupAudit.objects.filter(Q(status=GroupAudit.Status.QUEUED) | stalled)
        .filter(pk=audit_id)
        .update(
            status=GroupAudit.Status.RUNNING,
            started_at=now,
            updated_at=now,
            lines_done=0,
        )
        == 1
    )


def run_audit(audit_id: int) -> GroupAudit | None:
    """Read the export and store the report, all or nothing. None when another
    worker has it or it is already finished."""
    now = timezone.now()
    if not _claim(audit_id, now):
        return None
    audit = GroupAudit.objects.select_related("group__platform", "organisation").get(
        pk=audit_id
    )
    try:
        result = _analyse(audit)
        if result.messages_read == 0:
            raise AuditError(
                "The export holds no messages: nothing was audited. Export the "
                "chat again from WhatsApp and upload the new file."
            )
        _store(audit, result)
    except (AuditError, ChatlogError, UnicodeError) as error:
        _fail(audit, error)
    finally:
        Path(audit.upload_path).unlink(missing_ok=True)
    audit.refresh_from_db()
    return audit


def _fail(audit: GroupAudit, error: Exception) -> None:
    message = str(error)
    if not isinstance(error, AuditError):
        message = f"The export stopped being readable part way through: {error}."
    GroupAudit.objects.filter(pk=audit.pk).update(
        status=GroupAudit.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        upload_path="",
    )


def _analyse(audit: GroupAudit) -> analysis.Result:
    path = Path(audit.upload_path)
    if not path.is_file():
        raise AuditError("The uploaded file is gone: upload the export again.")
    export = functools.partial(open_sealed, path)
    total = _count_lines(export)
    GroupAudit.objects.filter(pk=audit.pk).update(lines_total=total)

    def progress(line_no: int, messages: int) -> None:
        GroupAudit.objects.filter(pk=audit.pk).update(
            lines_done=line_no, messages_read=messages, updated_at=timezone.now()
        )

    group = audit.group
    tz = org_zone(audit.organisation)
    auditor = analysis.Auditor(
        roster=roster_for(
            group, local_day(timezone.now(), audit.organisation.timezone)
        ),
        # A group without agreed hours of its own is judged by the default.
        hours=group_hours(
            hours_of(group.hours), hours_of(audit.organisation.default_hours)
        ),
        tz=tz,
        key=_digest_key(),
        seen=set(
            SeenMessage.objects.filter(group=group).values_list("digest", flat=True)
        ),
        progress=progress,
    )
    return auditor.run(parse_file(export))


def _count_lines(export: Source) -> int:
    """About how many lines the export has, for the progress bar: newlines in
    the file, or in the chat text of a zip (read once more, not decoded)."""
    with open_binary(export) as raw:
        try:
            with zipfile.ZipFile(raw) as archive:
                texts = [i for i in archive.infolist() if i.filename.endswith(".txt")]
                biggest = max(texts, key=lambda info: info.file_size)
                with archive.open(biggest) as member:
                    return _newlines(member)
        except (zipfile.BadZipFile, ValueError):
            raw.seek(0)
            return _newlines(raw)


def _newlines(raw: IO[bytes]) -> int:
    return sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))


def _digest_key() -> bytes:
    return hashlib.sha256(b"group-audit:" + settings.SECRET_KEY.encode()).digest()


@transaction.atomic(durable=True)
def _store(audit: GroupAudit, result: analysis.Result) -> None:
    AuditFinding.objects.bulk_create(
        (_finding(audit, draft) for draft in result.drafts), batch_size=500
    )
    # bulk_create makes a list of what it is given: hand it one batch at a time
    # so a million-message export does not hold a million rows in memory.
    for batch in itertools.batched(result.new_digests, 5000):
        SeenMessage.objects.bulk_create(
            [
                SeenMessage(group_id=audit.group_id, audit=audit, digest=digest)
                for digest in batch
            ],
            ignore_conflicts=True,
        )
    now = timezone.now()
    GroupAudit.objects.filter(pk=audit.pk).update(
        status=GroupAudit.Status.DONE,
        messages_read=result.messages_read,
        messages_new=result.messages_new,
        unplaced_lines=result.unplaced_lines,
        first_message_at=result.first,
        last_message_at=result.last,
        findings_not_kept=result.findings_not_kept,
        lines_done=F("lines_total"),
        finished_at=now,
        updated_at=now,
        upload_path="",
    )
    record_change(
        actor=None,
        organisation=audit.organisation,
        obj=audit,
        action="finish",
        before=None,
        after={"messages_new": result.messages_new, "findings": len(result.drafts)},
    )


def _finding(audit: GroupAudit, draft: analysis.Draft) -> AuditFinding:
    detail = {
        "summary": draft.summary,
        "lines": [
            {"at": line.at, "sender": line.sender, "text": line.text, "hit": line.hit}
            for line in draft.lines
        ],
        **draft.extra,
    }
    return AuditFinding(
        audit=audit,
        kind=draft.kind,
        severity=draft.severity,
        person_id=draft.person_id,
        sender=draft.sender,
        detail=json.dumps(detail),
        count=draft.count,
    )


# --- The register, as the audit matches senders against it ---------------------


def roster_for(group: Group, day: dt.date) -> analysis.Roster:
    people = list(
        Person.objects.filter(organisation_id=group.organisation_id).select_related(
            "worker", "organisation"
        )
    )
    first_names = Counter(name_key(p.first_name) for p in people)
    return analysis.Roster(
        (
            _member(person, group, day),
            person.phone,
            [str(person)]
            + (
                [person.first_name]
                if first_names[name_key(person.first_name)] == 1
                else []
            ),
        )
        for person in people
    )


def _member(person: Person, group: Group, day: dt.date) -> analysis.Member:
    kind = person.kind
    return analysis.Member(
        person_id=person.pk,
        name=str(person),
        is_worker=kind == Person.Kind.WORKER,
        is_child=kind == Person.Kind.CHILD,
        problems=tuple(_problems(person, group, day)),
    )


def _problems(
    person: Person, group: Group, day: dt.date
) -> Iterator[tuple[str, str, int]]:
    kind = person.kind
    profile = getattr(person, "worker", None) if kind == Person.Kind.WORKER else None
    if profile is not None and not profile.is_active(day):
        yield (
            "former_worker",
            "Has left the organisation but is still in the chat: remove them.",
            3,
        )
    elif profile is not None:
        cleared = worker_clearance(person, day)
        if not (cleared.children if group.for_children else cleared.adults):
            reasons = " ".join(cleared.reasons)
            yield "unchecked_worker", f"Not cleared for this group: {reasons}", 2
    elif kind in (Person.Kind.PARENT, Person.Kind.OTHER_ADULT) and group.for_children:
        yield (
            "unchecked_adult",
            "An adult who is not a checked worker is in a group with children. "
            "The guidance asks you to avoid unchecked adults, parents included.",
            1,
        )
    age = person.age(day)
    minimum = group.platform.minimum_age
    if kind == Person.Kind.CHILD and age is not None and age < minimum:
        yield (
            "under_age",
            f"Is {age}, under {group.platform.name}'s minimum age of {minimum}.",
            2,
        )


# --- Acting on findings ----------------------------------------------------------


@transaction.atomic(durable=True)
def add_to_attention_list(*, actor: User, finding: AuditFinding) -> AuditFinding:
    return _set_on_attention_list(actor, finding, on=True)


@transaction.atomic(durable=True)
def dismiss_from_attention_list(*, actor: User, finding: AuditFinding) -> AuditFinding:
    return _set_on_attention_list(actor, finding, on=False)


def _set_on_attention_list(
    actor: User, finding: AuditFinding, *, on: bool
) -> AuditFinding:
    _require_lead(actor, finding.audit.organisation_id)
    secret = encrypted_field_names(AuditFinding)  # never the chat's text
    before = snapshot(finding, exclude=secret)
    finding.on_attention_list = on
    save_and_record(
        actor=actor,
        organisation=finding.audit.organisation,
        obj=finding,
        before=before,
        exclude=secret,
        update_fields=["on_attention_list"],
    )
    return finding


def concern_text(finding: AuditFinding) -> str:
    detail = json.loads(finding.detail or "{}")
    lines = "\n".join(
        f"[{line['at']}] {line['sender']}: {line['text']}"
        for line in detail.get("lines", [])
    )
    return (
        f'Found in an audit of the group chat "{finding.audit.group}": '
        f"{finding.get_kind_display()}.\n"
        f"Sender in the chat: {finding.sender or 'not one sender'}.\n"
        f"{detail.get('summary', '')}\n\n{lines}"
    ).strip()


@transaction.atomic
def raise_concern(*, actor: User, finding: AuditFinding) -> Case:
    """A new case from a finding, holding the finding's lines (encrypted)."""
    _require_lead(actor, finding.audit.organisation_id)
    if finding.case_id is not None:
        raise AuditError("A concern has already been raised from this finding.")
    case = report_concern(
        actor=actor,
        organisation=finding.audit.organisation,
        report=ConcernReport(
            narrative=concern_text(finding),
            about=Case.About.UNSURE,
            anonymous=False,
            reporter_name=actor.get_full_name() or actor.username,
            reporter_contact=actor.email or actor.username,
            reporter_relation="lead",
        ),
        source=Case.Source.IN_APP,
        form=Case.Form.STAFF,
    )
    secret = encrypted_field_names(AuditFinding)  # never the chat's text
    before = snapshot(finding, exclude=secret)
    finding.case = case
    save_and_record(
        actor=actor,
        organisation=finding.audit.organisation,
        obj=finding,
        before=before,
        exclude=secret,
        update_fields=["case"],
    )
    return case


@transaction.atomic(durable=True)
def raise_alert(*, actor: User, finding: AuditFinding) -> Alert:
    """An alert on the Lead's queue from a finding. It points at the finding
    and copies nothing from the chat: the lines stay encrypted there."""
    _require_lead(actor, finding.audit.organisation_id)
    if Alert.objects.filter(audit_finding=finding).exists():
        raise AuditError("An alert has already been raised from this finding.")
    alert = Alert.objects.create(
        organisation=finding.audit.organisation,
        audit_finding=finding,
        kind=Alert.Kind.AUDIT,
        severity=finding.severity,
    )
    save_and_record(
        actor=actor, organisation=alert.organisation, obj=alert, before=None
    )

    notifications.alert_raised(alert)  # the deputies see it on their queue too
    return alert


def record_audit_view(*, actor: User, audit: GroupAudit) -> None:
    record_access(actor=actor, organisation=audit.organisation, obj=audit)


# --- Retention ----------------------------------------------------------------


def expired_audits(now: dt.datetime) -> list[GroupAudit]:
    return list(GroupAudit.objects.filter(keep_until__lt=now).select_related("group"))


def stray_uploads(now: dt.datetime) -> list[Path]:
    """Encrypted uploads no audit will read: one cut off mid-upload (the
    server stopped before the request ended), or one whose audit is gone."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    if not folder.is_dir():
        return []
    waiting = set(
        GroupAudit.objects.exclude(upload_path="").values_list("upload_path", flat=True)
    )
    cutoff = (now - STRAY_AFTER).timestamp()
    return sorted(
        path
        for path in folder.iterdir()
        if str(path) not in waiting and path.stat().st_mtime < cutoff
    )


def purge_expired_audits(
    *, apply: bool = False, now: dt.datetime | None = None
) -> list[GroupAudit]:
    """Audits past their keep-until date; deleted (with everything read from
    the chat and the hashes of its messages) only when ``apply``, with any
    upload files left behind (``stray_uploads``)."""
    now = now or timezone.now()
    expired = expired_audits(now)
    if apply:
        for path in stray_uploads(now):
            path.unlink(missing_ok=True)
        for audit in expired:
            with transaction.atomic(durable=True):
                if audit.upload_path:
                    Path(audit.upload_path).unlink(missing_ok=True)
                record_change(
                    actor=None,
                    organisation=audit.organisation,
                    obj=audit,
                    action="delete",
                    before=None,
                    after=None,
                )
                audit.delete()
    return expired
