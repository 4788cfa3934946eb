"""The rules, one function per concern; each returns the reasons it applies.

A rule that passes says nothing. Messages speak to the worker composing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from safeguarding.policy import hours
from safeguarding.policy.catalogue import RULES
from safeguarding.policy.consent import ConsentState, consent_state
from safeguarding.policy.decision import Change, ChangeKind, Outcome, Reason
from safeguarding.policy.inputs import (
    AgreedHours,
    Audience,
    Capacity,
    Channel,
    Consent,
    ConsentKind,
    CopyPolicy,
    MessageRequest,
    OrgRules,
    OutsideHours,
    PersonKind,
    Platform,
    PolicyError,
    Recipient,
)
from safeguarding.policy.people import age_on

BLOCK, HOLD, DEFER = Outcome.BLOCK, Outcome.HOLD, Outcome.DEFER
CHANGES = Outcome.ALLOW_WITH_CHANGES
CHILD_AUDIENCES = {Audience.CHILDREN, Audience.YOUNG_PEOPLE, Audience.MIXED}
ADULT_AUDIENCES = {Audience.ADULTS_AT_RISK, Audience.MIXED}


@dataclass(frozen=True, slots=True)
class Context:
    request: MessageRequest
    rules: OrgRules
    tz: ZoneInfo
    now: dt.datetime  # local to the organisation
    kinds: dict[str, PersonKind]  # effective kind of each recipient today
    platform: Platform | None

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def of_kind(self, kind: PersonKind) -> list[Recipient]:
        return [r for r in self.request.recipients if self.kinds[r.id] is kind]

    @property
    def is_group_send(self) -> bool:
        """A message to a group with more than one person in it."""
        return self.request.group is not None and len(self.request.recipients) > 1


def reason(
    rule_id: str,
    effect: Outcome,
    message: str,
    *,
    person: str | None = None,
    changes: tuple[Change, ...] = (),
) -> Reason:
    rule = RULES[rule_id]
    return Reason(rule_id, effect, message, rule.guidance, rule.fix, person, changes)


def sender(ctx: Context) -> Iterator[Reason]:
    s, group = ctx.request.sender, ctx.request.group
    audience = group.audience if group else None
    why = " ".join(s.clearance_reasons)
    if not s.is_active_worker:
        yield reason(
            "sender.active", BLOCK, "You are not recorded as an active worker."
        )
    if not s.cleared_children and (
        ctx.of_kind(PersonKind.CHILD) or audience in CHILD_AUDIENCES
    ):
        msg = f"You are not cleared to contact children. {why}".strip()
        yield reason("sender.cleared_children", BLOCK, msg)
    if not s.cleared_adults and (
        ctx.of_kind(PersonKind.ADULT_AT_RISK) or audience in ADULT_AUDIENCES
    ):
        msg = f"You are not cleared to contact adults at risk. {why}".strip()
        yield reason("sender.cleared_adults", BLOCK, msg)
    if s.conduct_unread and (
        ctx.of_kind(PersonKind.CHILD)
        or ctx.of_kind(PersonKind.ADULT_AT_RISK)
        or audience in CHILD_AUDIENCES | ADULT_AUDIENCES
    ):
        titles = ", ".join(s.conduct_unread)
        msg = f"You have not yet read and acknowledged: {titles}."
        yield reason("sender.code_of_conduct", BLOCK, msg)


def account(ctx: Context) -> Iterator[Reason]:
    """The message leaves from, or the group lives on, an organisation account."""
    if ctx.request.sender.personal_account:
        msg = "This would be sent from your personal account or address."
        yield reason("channel.organisation_account", BLOCK, msg)
    group = ctx.request.group
    if group is not None and group.personal_account:
        msg = "This group is run from a worker's personal account or number."
        yield reason("channel.organisation_account", BLOCK, msg)


def platform(ctx: Context) -> Iterator[Reason]:
    """A platform message, or a message to a group, uses that platform."""
    p = ctx.platform
    if p is None:
        if ctx.request.channel is Channel.PLATFORM:
            raise PolicyError("a platform message needs a platform")
        return
    if not p.approved:
        msg = f"{p.name} is not approved by the organisation."
        if ctx.request.channel is not Channel.PLATFORM:
            msg = (
                f"This group runs on {p.name}, which the organisation has not approved."
            )
        yield reason("platform.approved", BLOCK, msg)
    for r in ctx.request.recipients:
        msg = too_young(r.date_of_birth, ctx.kinds[r.id], ctx.today, p)
        if msg:
            yield reason("platform.minimum_age", BLOCK, msg, person=r.id)
        if not _platform_consented(ctx, r, p):
            msg = f"The consent does not cover contact on {p.name}."
            yield reason("platform.consented", BLOCK, msg, person=r.id)


def _platform_consented(ctx: Context, r: Recipient, p: Platform) -> bool:
    return platform_consented(r.consent, ctx.kinds[r.id], ctx.today, p)


def platform_consented(
    c: Consent | None, kind: PersonKind, today: dt.date, p: Platform
) -> bool:
    """The consent in force names ``p``, or names no platform at all (a
    record made before platforms were chosen). Missing or lapsed consent is
    ``consent.current``'s to report. Asked when a message leaves and when
    someone joins a group."""
    if kind not in (PersonKind.CHILD, PersonKind.ADULT_AT_RISK):
        return True
    if c is None or consent_state(c, today) is not ConsentState.CURRENT:
        return True
    return not c.platforms or p.key in c.platforms


def too_young(
    dob: dt.date | None, kind: PersonKind, today: dt.date, p: Platform
) -> str:
    """Why someone is too young for ``p`` (empty when they are not)."""
    if not p.minimum_age:
        return ""
    if dob is None:
        if kind is PersonKind.CHILD:
            return (
                f"This child's date of birth is missing, so {p.name}'s "
                f"minimum age of {p.minimum_age} cannot be checked."
            )
        return ""
    age = age_on(dob, today)
    if age < p.minimum_age:
        return f"This person is {age}; {p.name} is for people aged {p.minimum_age}+."
    return ""


def reachable(ctx: Context) -> Iterator[Reason]:
    """The organisation holds a way to reach everyone on this channel."""
    how = {Channel.EMAIL: "email address", Channel.IN_APP: "SafeContact login"}
    what = how.get(ctx.request.channel, "way to reach them")
    for r in ctx.request.recipients:
        if not r.reachable:
            msg = f"The register holds no {what} for this person."
            yield reason("gateway.reachable", BLOCK, msg, person=r.id)


def consent(ctx: Context) -> Iterator[Reason]:
    for r in ctx.request.recipients:
        kind = ctx.kinds[r.id]
        if kind not in (PersonKind.CHILD, PersonKind.ADULT_AT_RISK):
            continue
        c = r.consent
        problem = _not_current(c, kind, ctx.today)
        if c is None or problem:
            yield reason("consent.current", BLOCK, problem, person=r.id)
            continue
        if kind is PersonKind.ADULT_AT_RISK:
            yield from _capacity(r.id, c)
        yield from _coverage(ctx, r, c)


def _not_current(c: Consent | None, kind: PersonKind, today: dt.date) -> str:
    child = kind is PersonKind.CHILD
    whose = "parental consent" if child else "consent from this adult"
    wanted = ConsentKind.PARENTAL if child else ConsentKind.ADULT
    state = consent_state(c, today, wanted)
    if c is None or state is ConsentState.MISSING:
        return f"There is no {whose} to online contact on record."
    if state is ConsentState.WITHDRAWN:
        return f"The {whose} to online contact has been withdrawn."
    if state is ConsentState.NOT_STARTED:
        return f"The {whose} only starts on {c.given_on:%d %B %Y}."
    if state is ConsentState.EXPIRED:
        return f"The {whose} expired on {c.expires_on:%d %B %Y}."
    return ""


def _capacity(person: str, c: Consent) -> Iterator[Reason]:
    if c.capacity is None:
        msg = "How this adult's capacity to agree to contact was considered is not "
        yield reason("adult.capacity", BLOCK, msg + "recorded.", person=person)
    elif c.capacity is not Capacity.HAS_CAPACITY and not c.capacity_decided_by.strip():
        msg = "Who supported this adult's decision, or made it in their best "
        yield reason(
            "adult.capacity", BLOCK, msg + "interests, is not recorded.", person=person
        )


def _coverage(ctx: Context, r: Recipient, c: Consent) -> Iterator[Reason]:
    req = ctx.request
    if req.channel not in c.channels:
        msg = f"The consent does not cover contact by {req.channel.replace('_', '-')}."
        yield reason("consent.channel", BLOCK, msg, person=r.id)
    if req.purpose is not None and req.purpose.id not in c.purposes:
        msg = f"The consent does not cover '{req.purpose.name}'."
        yield reason("consent.purpose", BLOCK, msg, person=r.id)
    if not _sender_named(ctx, c):
        msg = "The consent does not name you or your role as allowed to make contact."
        yield reason("consent.sender", BLOCK, msg, person=r.id)
    if req.group is not None and req.group.id not in c.groups:
        msg = "The consent does not cover being in this group."
        yield reason("consent.group", BLOCK, msg, person=r.id)


def _sender_named(ctx: Context, c: Consent) -> bool:
    s = ctx.request.sender
    if c.kind is ConsentKind.ADULT and not (c.allowed_senders or c.allowed_roles):
        return True
    return s.id in c.allowed_senders or bool(s.role and s.role in c.allowed_roles)


def purpose(ctx: Context) -> Iterator[Reason]:
    """Purposes are compared by id: the organisation's list, not wording."""
    req, chosen = ctx.request, ctx.request.purpose
    if chosen is None:
        yield reason("purpose.required", BLOCK, "No purpose is given for this message.")
    elif chosen.retired:
        msg = f"'{chosen.name}' is no longer one of the organisation's purposes."
        yield reason("purpose.required", BLOCK, msg)
    elif req.group is not None and chosen.id not in req.group.purposes:
        msg = f"'{chosen.name}' is not one of the purposes of this group."
        yield reason("purpose.fits_group", BLOCK, msg)


def group(ctx: Context) -> Iterator[Reason]:
    g = ctx.request.group
    if g is None:
        return
    with_children = g.audience in CHILD_AUDIENCES or ctx.of_kind(PersonKind.CHILD)
    if g.has_uncleared_adult and with_children:
        msg = "This group has children and an adult without a current check in it"
        yield reason("group.uncleared_adult", BLOCK, msg + _naming(g.uncleared_names))
    if g.has_ex_worker:
        msg = "Someone who no longer works or volunteers here is still in this group"
        yield reason("group.ex_worker", BLOCK, msg + _naming(g.ex_worker_names))


def _naming(names: tuple[str, ...]) -> str:
    """ ": Sam Example and Alex Example." or "." when nobody is named."""
    if not names:
        return "."
    if len(names) == 1:
        return f": {names[0]}."
    return f": {', '.join(names[:-1])} and {names[-1]}."


def bcc(ctx: Context) -> Iterator[Reason]:
    """Group email, or email to more than one family, hides addresses."""
    req = ctx.request
    if req.channel is not Channel.EMAIL:
        return
    others = [r for r in req.recipients if ctx.kinds[r.id] is not PersonKind.WORKER]
    one_family = any(
        all(o.id == child.id or o.id in child.parents for o in others)
        for child in ctx.of_kind(PersonKind.CHILD)
    )
    if req.group is not None or (len(others) > 1 and not one_family):
        change = Change(ChangeKind.USE_BCC, rule_id="email.bcc")
        msg = "Everyone will be put in bcc so nobody sees anyone else's address."
        yield reason("email.bcc", CHANGES, msg, changes=(change,))


def child_one_to_one(ctx: Context) -> Iterator[Reason]:
    """Each child must be seen by a parent/carer or a second cleared adult."""
    if ctx.is_group_send:
        return
    ids = {r.id for r in ctx.request.recipients}
    seconds = [a for a in ctx.rules.second_adults if a != ctx.request.sender.id]
    copied: set[str] = set()
    for child in ctx.of_kind(PersonKind.CHILD):
        present = ids | copied
        if present & set(child.parents) or present & set(seconds):
            continue
        change = _copy_for(child, seconds, ctx.rules.copy_policy)
        if change is None:
            yield reason(
                "child.no_one_to_one",
                BLOCK,
                "This would be one-to-one with a child and nobody can be copied in.",
                person=child.id,
            )
            continue
        copied.add(change.person_id or "")
        who = (
            "a parent/carer"
            if change.kind is ChangeKind.ADD_CC_PARENT
            else ("a second cleared adult")
        )
        msg = f"So this is not one-to-one with a child, {who} will be copied in."
        yield reason(
            "child.no_one_to_one", CHANGES, msg, person=child.id, changes=(change,)
        )


def _copy_for(
    child: Recipient, seconds: list[str], policy: CopyPolicy
) -> Change | None:
    rule = "child.no_one_to_one"
    if policy is not CopyPolicy.SECOND_ADULT and child.parents:
        return Change(ChangeKind.ADD_CC_PARENT, child.parents[0], rule)
    if policy is not CopyPolicy.PARENT and seconds:
        return Change(ChangeKind.ADD_CC_SECOND_ADULT, seconds[0], rule)
    return None


def adult_one_to_one(ctx: Context) -> Iterator[Reason]:
    """One-to-one with an adult at risk goes ahead, in the Lead's sight."""
    if ctx.is_group_send:
        return
    ids = {r.id for r in ctx.request.recipients}
    named = (ctx.rules.adults_supervisor, *ctx.rules.supervisors)
    supervisor = next(
        (s for s in named if s and s != ctx.request.sender.id and s not in ids), None
    )
    for adult in ctx.of_kind(PersonKind.ADULT_AT_RISK):
        changes = [
            Change(ChangeKind.NOTIFY_LEAD, rule_id="adult.one_to_one_transparent")
        ]
        msg = "This one-to-one contact will be shown to the Safeguarding Lead"
        if supervisor:
            changes.append(
                Change(
                    ChangeKind.COPY_SUPERVISOR,
                    supervisor,
                    "adult.one_to_one_transparent",
                )
            )
            msg += " and copied to the supervisor"
        yield reason(
            "adult.one_to_one_transparent",
            CHANGES,
            msg + ".",
            person=adult.id,
            changes=tuple(changes),
        )


def supporter(ctx: Context) -> Iterator[Reason]:
    """An adult who named a supporter has them copied in, as they asked.

    Never for a child (a child's copies are their parents' or a second
    adult's), and never into a group message with children in it: the
    supporter is nobody the group's families agreed to.
    """
    group = ctx.request.group
    if group is not None and (
        group.audience in CHILD_AUDIENCES or ctx.of_kind(PersonKind.CHILD)
    ):
        return
    ids = {r.id for r in ctx.request.recipients}
    for r in ctx.request.recipients:
        who = r.supporter
        if not who or who in ids or ctx.kinds[r.id] is PersonKind.CHILD:
            continue
        change = Change(ChangeKind.COPY_SUPPORTER, who, "access.supporter_copied")
        msg = "A copy will go to the supporter this person asked us to copy in."
        yield reason(
            "access.supporter_copied", CHANGES, msg, person=r.id, changes=(change,)
        )


def agreed_hours(ctx: Context) -> tuple[list[Reason], dt.datetime | None]:
    """Reasons about timing, and when to deliver if it must wait."""
    schedules, reasons = _schedules(ctx)
    if not schedules or all(hours.within(h, ctx.now, ctx.tz) for h in schedules):
        return reasons, None
    req = ctx.request
    if req.urgent:
        if not req.urgent_reason.strip():
            msg = "Sending outside agreed hours as urgent needs a reason."
            return [*reasons, reason("hours.urgent_override", BLOCK, msg)], None
        change = Change(ChangeKind.NOTIFY_LEAD, rule_id="hours.urgent_override")
        msg = "Sent outside agreed hours as urgent; the Safeguarding Lead will be told."
        return [
            *reasons,
            reason("hours.urgent_override", CHANGES, msg, changes=(change,)),
        ], None
    if ctx.rules.outside_hours is OutsideHours.BLOCK:
        msg = "It is outside the agreed hours for contact."
        return [*reasons, reason("hours.agreed", BLOCK, msg)], None
    at = hours.next_start(schedules, ctx.now, ctx.tz)
    if at is None:
        msg = "The agreed hours of the people in this message never overlap."
        return [*reasons, reason("hours.agreed", BLOCK, msg)], None
    msg = f"It is outside agreed hours; it will be sent at {at:%H:%M on %A %d %B}."
    return [*reasons, reason("hours.agreed", DEFER, msg)], at


def _schedules(ctx: Context) -> tuple[list[AgreedHours], list[Reason]]:
    """Every set of hours the message must be inside: each child's and adult
    at risk's consent hours (else the default), and the group's own hours,
    else the default when no one on the message brought hours of their own
    (a parents' group, say)."""
    schedules, reasons = _personal_schedules(ctx)
    group = ctx.request.group
    if group is not None:
        default = None if schedules else ctx.rules.default_hours
        kept = hours.group_hours(group.hours, default)
        if kept is not None and kept not in schedules:
            schedules.insert(0, kept)
    return schedules, reasons


def _personal_schedules(ctx: Context) -> tuple[list[AgreedHours], list[Reason]]:
    schedules: list[AgreedHours] = []
    reasons: list[Reason] = []
    for r in ctx.request.recipients:
        if ctx.kinds[r.id] not in (PersonKind.CHILD, PersonKind.ADULT_AT_RISK):
            continue
        if r.consent is None:
            continue  # consent.current already blocks
        agreed = r.consent.hours or ctx.rules.default_hours
        if agreed is None:
            msg = "No hours for contact have been agreed for this person."
            reasons.append(reason("hours.none_agreed", BLOCK, msg, person=r.id))
        elif agreed not in schedules:
            schedules.append(agreed)
    return schedules, reasons


def content(ctx: Context) -> Iterator[Reason]:
    threshold = ctx.rules.content_hold_threshold
    serious = [f for f in ctx.request.content_findings if f.severity >= threshold]
    if serious:
        worst = max(f.severity for f in serious)
        msg = (
            f"The message has {len(serious)} thing(s) to check "
            f"(the most serious is {worst.label}); the Safeguarding Lead will "
            "review it."
        )
        yield reason("content.hold", HOLD, msg)
