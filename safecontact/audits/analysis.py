"""Read one chat export against the register: the audit's findings as values.

Streams the export item by item (memory stays flat but for one entry per
sender and the hashes of messages already audited), runs every new message
through the shared screening pipeline (``safeguarding.screening.assess``) and
judges agreed hours with the policy core (``safeguarding.policy.hours``).
Nothing here touches the database: ``services`` loads the inputs and stores
the drafts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from safeguarding.chatlogs import ChatEvent, ChatItem, ChatMessage, EventKind
from safeguarding.policy import AgreedHours
from safeguarding.policy.hours import _occurrences
from safeguarding.screening import ConversationRisk, Finding, Level, assess

BATCH = 4096
CONTEXT = 2  # lines kept before and after a finding
MAX_LINE_CHARS = 2000  # a quoted line is cut here on the report
MAX_EXAMPLES = 20  # out-of-hours lines kept per sender (all are counted)
MAX_SCANNER_FINDINGS = 5000  # stored per audit; more are counted, not kept
_PHONE = re.compile(r"[+\d\s()\-.\u00a0\u202a-\u202e\u200e\u200f]+")
_NOT_DIGIT = re.compile(r"\D")
MAX_DAYS_CACHED = 10_000
PHONE_DIGITS = 9  # numbers match on their last 9 digits (07700 / +44 7700)

Kind = str  # AuditFinding.Kind values


@dataclass(frozen=True, slots=True)
class Member:
    """A person on the register, as the audit needs them."""

    person_id: int
    name: str
    is_worker: bool = False
    is_child: bool = False
    # (kind, summary, severity): what is wrong with this person being here.
    problems: tuple[tuple[Kind, str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    when: dt.datetime
    sender: str
    text: str
    hit: bool = False

    @property
    def at(self) -> str:
        return f"{self.when:%d/%m/%Y %H:%M}"


@dataclass
class Draft:
    kind: Kind
    severity: int
    summary: str
    sender: str = ""
    person_id: int | None = None
    lines: list[Line] = field(default_factory=list)
    count: int = 1
    extra: dict[str, object] = field(default_factory=dict)


def phone_key(text: str) -> str:
    """The last digits of a phone number, or "" when ``text`` is not one."""
    if not _PHONE.fullmatch(text.strip()):
        return ""
    digits = _NOT_DIGIT.sub("", text)
    return digits[-PHONE_DIGITS:] if len(digits) >= 7 else ""


def name_key(text: str) -> str:
    return " ".join(text.casefold().split())


class Roster:
    """Chat senders matched to the register by phone number, then by name."""

    def __init__(self, members: Iterable[tuple[Member, str, Iterable[str]]]) -> None:
        self.by_phone: dict[str, Member] = {}
        self.by_name: dict[str, Member] = {}
        for member, phone, names in members:
            if key := phone_key(phone):
                self.by_phone[key] = member
            for name in names:
                if name_key(name):
                    self.by_name.setdefault(name_key(name), member)

    def match(self, sender: str) -> Member | None:
        key = phone_key(sender)
        if key:
            return self.by_phone.get(key)
        return self.by_name.get(name_key(sender))


def digest(key: bytes, message: ChatMessage) -> str:
    data = f"{message.timestamp.isoformat()}\x1f{message.sender}\x1f{message.text}"
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class Result:
    drafts: list[Draft]
    messages_read: int = 0
    messages_new: int = 0
    unplaced_lines: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    new_digests: list[str] = field(default_factory=list)
    findings_not_kept: int = 0


@dataclass
class _Sender:
    member: Member | None
    messages: int = 0
    out_of_hours: int = 0
    examples: list[Line] = field(default_factory=list)


class Auditor:
    """One pass over one export. ``run`` returns the drafts."""

    def __init__(
        self,
        *,
        roster: Roster,
        hours: AgreedHours | None,
        tz: ZoneInfo,
        key: bytes,
        seen: set[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.roster = roster
        self.hours = hours
        self.tz = tz
        self.key = key
        self.seen = seen
        self.progress = progress
        self.senders: dict[str, _Sender] = {}
        self.present: dict[str, bool] = {}  # names seen in the chat -> still in it
        self.result = Result(drafts=[])
        self.before: deque[Line] = deque(maxlen=CONTEXT)
        self.open: list[tuple[Draft, int]] = []  # drafts waiting for lines after
        self.kept = 0
        self.spans: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}

    # --- Reading -------------------------------------------------------------

    def run(self, items: Iterable[ChatItem]) -> Result:
        risk = ConversationRisk()
        pending: deque[Line] = deque()
        for assessment in assess(
            self._new(items, pending), risk=risk, batch_size=BATCH
        ):
            line = pending.popleft()
            self._findings(assessment.findings, line)
            self._after(line)
            self.before.append(line)
        self.result.drafts.extend(self._membership())
        self.result.drafts.extend(self._hours())
        self.result.drafts.extend(self._risk(risk))
        return self.result

    def _new(
        self, items: Iterable[ChatItem], pending: deque[Line]
    ) -> Iterator[tuple[str, str]]:
        result = self.result
        for item in items:
            if isinstance(item, ChatMessage):
                result.messages_read += 1
                self._participant(item.sender, present=True)
                if self.progress and result.messages_read % BATCH == 0:
                    self.progress(item.line_no, result.messages_read)
                hashed = digest(self.key, item)
                if hashed in self.seen:
                    continue
                self.seen.add(hashed)
                result.new_digests.append(hashed)
                result.messages_new += 1
                line = self._line(item)
                self._count(item, line)
                pending.append(line)
                yield item.sender, item.text
            elif isinstance(item, ChatEvent):
                self._event(item)
            else:
                result.unplaced_lines += 1

    def _line(self, message: ChatMessage) -> Line:
        return Line(
            when=message.timestamp,
            sender=message.sender,
            text=message.text[:MAX_LINE_CHARS],
        )

    def _participant(self, name: str | None, *, present: bool) -> None:
        if name:
            self.present[name] = present
            if name not in self.senders:
                self.senders[name] = _Sender(self.roster.match(name))

    def _event(self, event: ChatEvent) -> None:
        if event.kind in (EventKind.ADDED, EventKind.JOINED):
            self._participant(event.target or event.actor, present=True)
        elif event.kind in (EventKind.LEFT, EventKind.REMOVED):
            self._participant(event.target or event.actor, present=False)

    def _count(self, message: ChatMessage, line: Line) -> None:
        result = self.result
        moment = message.timestamp.replace(tzinfo=self.tz)
        result.first = min(result.first or moment, moment)
        result.last = max(result.last or moment, moment)
        sender = self.senders[message.sender]
        sender.messages += 1
        if self.hours is not None and not self._in_hours(
            self.hours, message.timestamp, moment
        ):
            sender.out_of_hours += 1
            if len(sender.examples) < MAX_EXAMPLES:
                sender.examples.append(line)

    def _in_hours(
        self, hours: AgreedHours, naive: dt.datetime, moment: dt.datetime
    ) -> bool:
        """``within`` of the policy core, with the windows around each local
        day worked out once (``within`` does the same for every message)."""
        day = naive.date()
        spans = self.spans.get(day)
        if spans is None:
            if len(self.spans) > MAX_DAYS_CACHED:
                self.spans.clear()
            spans = self.spans[day] = [
                span
                for window in hours.windows
                for span in _occurrences(window, day - dt.timedelta(days=1), 2, self.tz)
            ]
        utc = moment.astimezone(dt.UTC)
        return any(start <= utc < end for start, end in spans)

    # --- Scanner findings, with the lines around them --------------------------

    def _findings(self, findings: tuple[Finding, ...], line: Line) -> None:
        if not findings:
            return
        if self.kept >= MAX_SCANNER_FINDINGS:
            self.result.findings_not_kept += 1
            return
        self.kept += 1
        personal = all(f.indicator.startswith("pii.") for f in findings)
        member = self.senders[line.sender].member
        draft = Draft(
            kind="personal_details" if personal else "scanner",
            severity=max(int(f.severity) for f in findings),
            summary=" ".join(dict.fromkeys(f.explanation for f in findings)),
            sender=line.sender,
            person_id=member.person_id if member else None,
            lines=[*self.before, Line(line.when, line.sender, line.text, hit=True)],
            extra={
                "indicators": sorted({f.indicator for f in findings}),
                "evidence": [f.evidence[:200] for f in findings],
                "next_step": findings[0].next_step,
            },
        )
        self.result.drafts.append(draft)
        self.open.append((draft, CONTEXT))

    def _after(self, line: Line) -> None:
        still = []
        for draft, wanted in self.open:
            if draft.lines[-1] is not line:
                draft.lines.append(line)
                wanted -= 1
            if wanted > 0:
                still.append((draft, wanted))
        self.open = still

    # --- Who is in the chat ----------------------------------------------------

    def _membership(self) -> Iterator[Draft]:
        workers = children = 0
        for name, sender in self.senders.items():
            if not self.present.get(name, True):
                continue
            member = sender.member
            if member is None:
                yield self._unknown(name, sender)
                continue
            workers += member.is_worker
            children += member.is_child
            for kind, summary, severity in member.problems:
                yield Draft(kind, severity, summary, name, member.person_id)
        present = [n for n in self.senders if self.present.get(n, True)]
        if len(present) == 2 and workers == 1 and children == 1:
            yield Draft(
                "one_to_one",
                3,
                "This export is a chat between only a worker and a child: "
                "one-to-one contact the guidance asks you to avoid.",
            )

    def _unknown(self, name: str, sender: _Sender) -> Draft:
        if phone_key(name):
            return Draft(
                "unknown_number",
                2,
                "This phone number does not belong to anyone on record. Find out "
                "who it is; remove them if they should not be in the group.",
                name,
                count=sender.messages,
            )
        return Draft(
            "unknown_adult",
            2,
            "This name matches nobody in the register. Until you know who it is, "
            "treat them as an unknown adult: check them or remove them.",
            name,
            count=sender.messages,
        )

    # --- Agreed hours and risk -------------------------------------------------

    def _hours(self) -> Iterator[Draft]:
        for name, sender in self.senders.items():
            if sender.out_of_hours:
                yield Draft(
                    "out_of_hours",
                    1,
                    f"{sender.out_of_hours} of {sender.messages} messages were "
                    "sent outside the group's agreed hours.",
                    name,
                    sender.member.person_id if sender.member else None,
                    lines=sender.examples,
                    count=sender.out_of_hours,
                )

    def _risk(self, risk: ConversationRisk) -> Iterator[Draft]:
        for name, sender in self.senders.items():
            level = risk.level(name)
            if level == Level.NONE:
                continue
            reasons = Counter(c.indicator for c in risk.explain(name))
            yield Draft(
                "sender_risk",
                int(level),
                f"Over the conversation, this sender's risk is {level.label}.",
                name,
                sender.member.person_id if sender.member else None,
                count=sender.messages,
                extra={"level": level.label, "indicators": sorted(reasons)},
            )
