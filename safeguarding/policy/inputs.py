"""What the policy engine is told: people, consent, groups and the rules.

Plain frozen values, built by a service from the register. Identifiers are
strings (a model's public UUID as ``str``); nothing here knows about models.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from safeguarding.screening.findings import Finding, Severity


class PolicyError(Exception):
    """Input the engine cannot judge: a naive ``now``, an unknown timezone..."""


class PersonKind(enum.StrEnum):
    CHILD = "child"
    ADULT_AT_RISK = "adult_at_risk"
    PARENT = "parent"  # parent or carer
    WORKER = "worker"
    OTHER_ADULT = "other_adult"


class Channel(enum.StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    PLATFORM = "platform"  # a messaging platform or social network group


class ConsentKind(enum.StrEnum):
    PARENTAL = "parental"  # given by a parent/carer for a child
    ADULT = "adult"  # an adult at risk's own wish to be contacted


class Capacity(enum.StrEnum):
    """How the adult's capacity to agree to contact was considered."""

    HAS_CAPACITY = "has_capacity"
    NEEDS_SUPPORT = "needs_support"  # decided with support; record who helped
    BEST_INTERESTS = "best_interests"  # decided for them; record who decided


class Audience(enum.StrEnum):
    CHILDREN = "children"
    YOUNG_PEOPLE = "young_people"
    ADULTS_AT_RISK = "adults_at_risk"
    MIXED = "mixed"  # children and adults at risk
    ADULTS = "adults"  # e.g. a parents' group: no clearance needed for it


class CopyPolicy(enum.StrEnum):
    PARENT = "parent"
    SECOND_ADULT = "second_adult"
    PARENT_THEN_SECOND_ADULT = "parent_then_second_adult"


class OutsideHours(enum.StrEnum):
    DEFER = "defer"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Window:
    """One agreed stretch of a week, in the organisation's local time.

    ``weekday`` is 0 for Monday. The end is exclusive: 18:00-20:00 allows
    19:59 but not 20:00. An end at or before the start runs past midnight
    into the next day (Fri 22:00-01:00 ends on Saturday at 01:00).
    """

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise PolicyError(f"weekday must be 0 (Monday) to 6, not {self.weekday}")
        if self.start == self.end:
            raise PolicyError("a window must not start and end at the same time")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise PolicyError("window times are local wall-clock times, not aware")


@dataclass(frozen=True, slots=True)
class AgreedHours:
    windows: tuple[Window, ...]


@dataclass(frozen=True, slots=True)
class Consent:
    """The latest consent record for one person (a withdrawal included).

    Valid from ``given_on`` through ``expires_on``, both days inclusive; no
    expiry date means it runs until withdrawn. ``purposes`` and ``groups``
    are ids, compared exactly (the organisation's purpose list, never free
    text). For a child, at least one named worker or
    role must be allowed; for an adult at risk, empty means any cleared
    worker. ``hours`` None falls back to the organisation's default hours.
    """

    kind: ConsentKind
    given_on: dt.date
    expires_on: dt.date | None = None
    withdrawn: bool = False
    channels: frozenset[Channel] = frozenset()
    # Platforms the consent covers (``Platform.key``: the parent's choice);
    # empty means it does not limit platforms (records made before the choice).
    platforms: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()  # purpose ids this consent allows
    groups: frozenset[str] = frozenset()  # group ids this consent covers
    hours: AgreedHours | None = None
    allowed_senders: frozenset[str] = frozenset()  # worker ids
    allowed_roles: frozenset[str] = frozenset()
    capacity: Capacity | None = None  # adults at risk only
    capacity_decided_by: str = ""  # who supported or made the decision


@dataclass(frozen=True, slots=True)
class Purpose:
    """One entry of the organisation's list of purposes.

    Rules compare ``id`` only; ``name`` is for the sentences a worker reads.
    A ``retired`` purpose is kept for history and no longer used for contact.
    """

    id: str
    name: str
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone the message is addressed to.

    ``parents`` are the ids of parents/carers with parental responsibility
    whom the organisation can copy in on this channel (an address is held).
    A person under 18 by ``date_of_birth`` is treated as a child whatever
    ``kind`` says; a registered child on or after their 18th birthday is an
    adult and child rules stop.
    """

    id: str
    kind: PersonKind
    date_of_birth: dt.date | None = None
    consent: Consent | None = None
    parents: tuple[str, ...] = ()
    # The organisation holds a way to reach them on the message's channel
    # (an email address, or a SafeContact login for the in-app inbox).
    reachable: bool = True
    # The id of someone they asked to be copied into what they are sent (an
    # adult's named supporter), when reachable on the message's channel.
    supporter: str | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    """The worker sending; ``cleared_*`` come from :func:`clearance`."""

    id: str
    is_active_worker: bool
    cleared_children: bool
    cleared_adults: bool
    clearance_reasons: tuple[str, ...] = ()
    role: str = ""
    # The message would leave from the worker's own account or address, not
    # the organisation's (e.g. the organisation's from-address is theirs).
    personal_account: bool = False
    # Titles of codes of conduct in force that the organisation made binding
    # and this worker has not yet acknowledged (safeguarding.governance).
    conduct_unread: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Platform:
    """``id`` is what consents name (the register's code); without one, the
    name stands in for it."""

    name: str
    minimum_age: int
    approved: bool
    id: str = ""

    @property
    def key(self) -> str:
        return self.id or self.name


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: str
    purposes: frozenset[str]  # ids of the purposes the group exists for
    audience: Audience
    has_uncleared_adult: bool = False  # e.g. a parent without a check
    has_ex_worker: bool = False
    platform: Platform | None = None
    # Who, so a reason can name them: the writer can then ask the Lead to act.
    uncleared_names: tuple[str, ...] = ()
    ex_worker_names: tuple[str, ...] = ()
    hours: AgreedHours | None = None
    age_min: int | None = None  # the ages the group is for, both inclusive
    age_max: int | None = None
    # Run from a worker's own account or number rather than the organisation's.
    personal_account: bool = False


@dataclass(frozen=True, slots=True)
class OrgRules:
    """The organisation's choices. ``second_adults`` are ids of cleared
    adults available to be copied into contact with a child."""

    timezone: str = "Europe/London"
    copy_policy: CopyPolicy = CopyPolicy.PARENT_THEN_SECOND_ADULT
    outside_hours: OutsideHours = OutsideHours.DEFER
    content_hold_threshold: Severity = Severity.MEDIUM
    second_adults: tuple[str, ...] = ()
    adults_supervisor: str | None = None  # copied into one-to-one adult contact
    # Named supervisors: the first who is not the sender is copied in when
    # ``adults_supervisor`` is not set or is the sender.
    supervisors: tuple[str, ...] = ()
    default_hours: AgreedHours | None = None


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """One attempt to send. ``now`` must be timezone-aware; ``purpose`` None
    means none was chosen."""

    sender: Sender
    recipients: tuple[Recipient, ...]
    channel: Channel
    purpose: Purpose | None
    now: dt.datetime
    group: GroupInfo | None = None
    platform: Platform | None = None  # defaults to the group's platform
    urgent: bool = False  # send outside agreed hours now
    urgent_reason: str = ""
    content_findings: tuple[Finding, ...] = field(default=())
