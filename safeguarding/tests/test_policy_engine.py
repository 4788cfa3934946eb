"""decide() over whole messages, one table row per rule boundary."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguarding.policy import (
    RULES,
    AgreedHours,
    Audience,
    Capacity,
    Change,
    ChangeKind,
    Channel,
    Consent,
    ConsentKind,
    CopyPolicy,
    Decision,
    GroupInfo,
    MessageRequest,
    OrgRules,
    Outcome,
    OutsideHours,
    PersonKind,
    Platform,
    PolicyError,
    Purpose,
    Recipient,
    Sender,
    Window,
    decide,
    group_hours,
)
from safeguarding.screening.findings import Finding, Severity

LONDON = ZoneInfo("Europe/London")
D = dt.date
MON, FRI, SAT = 0, 4, 5
EVENINGS = AgreedHours(
    tuple(Window(day, dt.time(16), dt.time(20)) for day in range(MON, FRI + 1))
)
SATURDAY = AgreedHours((Window(SAT, dt.time(10), dt.time(12)),))
MONDAY_5PM = dt.datetime(2025, 1, 6, 17, 0, tzinfo=LONDON)

WORKER = Sender(
    id="w1",
    is_active_worker=True,
    cleared_children=True,
    cleared_adults=True,
    role="youth_leader",
)
CHILD_CONSENT = Consent(
    kind=ConsentKind.PARENTAL,
    given_on=D(2024, 9, 1),
    expires_on=D(2025, 8, 31),
    channels=frozenset({Channel.EMAIL, Channel.PLATFORM}),
    platforms=frozenset({"Signal"}),
    purposes=frozenset({"youth_club"}),
    groups=frozenset({"g1"}),
    hours=EVENINGS,
    allowed_roles=frozenset({"youth_leader"}),
)
CHILD = Recipient(
    id="c1",
    kind=PersonKind.CHILD,
    date_of_birth=D(2011, 5, 1),
    consent=CHILD_CONSENT,
    parents=("p1",),
)
CHILD2 = replace(CHILD, id="c2", parents=("p2",))
PARENT = Recipient(id="p1", kind=PersonKind.PARENT, date_of_birth=D(1980, 1, 1))
PARENT2 = replace(PARENT, id="p2")
ADULT_CONSENT = Consent(
    kind=ConsentKind.ADULT,
    given_on=D(2024, 1, 1),
    channels=frozenset({Channel.EMAIL}),
    purposes=frozenset({"befriending"}),
    hours=EVENINGS,
    capacity=Capacity.HAS_CAPACITY,
)
ADULT = Recipient(id="a1", kind=PersonKind.ADULT_AT_RISK, consent=ADULT_CONSENT)
SIGNAL = Platform("Signal", minimum_age=13, approved=True)
GROUP = GroupInfo(
    id="g1",
    purposes=frozenset({"youth_club"}),
    audience=Audience.CHILDREN,
    platform=SIGNAL,
)
ORG = OrgRules(second_adults=("w2",))


def send(**changes: Any) -> MessageRequest:
    """A request; ``purpose`` may be given as an id ("" for none)."""
    chosen = changes.get("purpose", "youth_club")
    if isinstance(chosen, str):
        changes["purpose"] = Purpose(chosen, chosen.title()) if chosen.strip() else None
    base = MessageRequest(
        sender=WORKER,
        recipients=(CHILD, PARENT),
        channel=Channel.EMAIL,
        purpose=None,
        now=MONDAY_5PM,
    )
    return replace(base, **changes)


def child(**changes: Any) -> Recipient:
    return replace(CHILD, **changes)


def consent(**changes: Any) -> Consent:
    return replace(CHILD_CONSENT, **changes)


def adult(**changes: Any) -> Recipient:
    return replace(ADULT, consent=replace(ADULT_CONSENT, **changes))


def on(day: dt.date, hour: int = 17, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def finding(severity: Severity) -> Finding:
    return Finding("grooming.secrecy", severity, 0, 6, "secret", "why", "what")


def rule_ids(decision: Decision) -> set[str]:
    return {r.rule_id for r in decision.reasons}


A, AC, DF, H, B = (
    Outcome.ALLOW,
    Outcome.ALLOW_WITH_CHANGES,
    Outcome.DEFER,
    Outcome.HOLD,
    Outcome.BLOCK,
)

CASES: list[tuple[str, MessageRequest, OrgRules, Outcome, set[str]]] = [
    ("child with parent copied", send(), ORG, A, set()),
    ("message to parents only", send(recipients=(PARENT,)), ORG, A, set()),
    # the sender
    (
        "inactive sender",
        send(sender=replace(WORKER, is_active_worker=False)),
        ORG,
        B,
        {"sender.active"},
    ),
    (
        "sender not cleared for children",
        send(sender=replace(WORKER, cleared_children=False)),
        ORG,
        B,
        {"sender.cleared_children"},
    ),
    (
        "sender not cleared for a children's group, even to parents",
        send(
            sender=replace(WORKER, cleared_children=False),
            recipients=(PARENT, PARENT2),
            group=GROUP,
        ),
        ORG,
        B,
        {"sender.cleared_children", "email.bcc"},
    ),
    (
        "sender not cleared for adults at risk",
        send(
            sender=replace(WORKER, cleared_adults=False),
            recipients=(ADULT,),
            purpose="befriending",
        ),
        ORG,
        B,
        {"sender.cleared_adults", "adult.one_to_one_transparent"},
    ),
    (
        "personal account",
        send(sender=replace(WORKER, personal_account=True)),
        ORG,
        B,
        {"channel.organisation_account"},
    ),
    # consent dates: valid from given_on through expires_on inclusive
    (
        "consent expired yesterday",
        send(recipients=(child(consent=consent(expires_on=D(2025, 1, 5))), PARENT)),
        ORG,
        B,
        {"consent.current"},
    ),
    (
        "consent expires today",
        send(recipients=(child(consent=consent(expires_on=D(2025, 1, 6))), PARENT)),
        ORG,
        A,
        set(),
    ),
    (
        "consent starts tomorrow",
        send(recipients=(child(consent=consent(given_on=D(2025, 1, 7))), PARENT)),
        ORG,
        B,
        {"consent.current"},
    ),
    (
        "consent starts today",
        send(recipients=(child(consent=consent(given_on=D(2025, 1, 6))), PARENT)),
        ORG,
        A,
        set(),
    ),
    (
        "consent withdrawn",
        send(recipients=(child(consent=consent(withdrawn=True)), PARENT)),
        ORG,
        B,
        {"consent.current"},
    ),
    (
        "no consent",
        send(recipients=(child(consent=None), PARENT)),
        ORG,
        B,
        {"consent.current"},
    ),
    (
        "a child's consent must come from a parent",
        send(recipients=(child(consent=consent(kind=ConsentKind.ADULT)), PARENT)),
        ORG,
        B,
        {"consent.current"},
    ),
    # what the consent covers
    (
        "channel not covered",
        send(recipients=(child(consent=consent(channels=frozenset())), PARENT)),
        ORG,
        B,
        {"consent.channel"},
    ),
    (
        "purpose not covered",
        send(purpose="fundraising"),
        ORG,
        B,
        {"consent.purpose"},
    ),
    (
        "sender's role not named",
        send(sender=replace(WORKER, role="treasurer")),
        ORG,
        B,
        {"consent.sender"},
    ),
    (
        "sender with no role",
        send(sender=replace(WORKER, role="")),
        ORG,
        B,
        {"consent.sender"},
    ),
    (
        "sender named individually",
        send(
            sender=replace(WORKER, role=""),
            recipients=(
                child(consent=consent(allowed_senders=frozenset({"w1"}))),
                PARENT,
            ),
        ),
        ORG,
        A,
        set(),
    ),
    # the 18th birthday: child rules stop on the day
    (
        "the day before an 18th birthday",
        send(recipients=(child(date_of_birth=D(2007, 1, 7), consent=None),)),
        ORG,
        B,
        {"consent.current", "child.no_one_to_one"},
    ),
    (
        "on the 18th birthday",
        send(recipients=(child(date_of_birth=D(2007, 1, 6), consent=None),)),
        ORG,
        A,
        set(),
    ),
    (
        "born on 29 February: still 17 on 28 February",
        send(
            now=on(D(2026, 2, 28)),
            recipients=(child(date_of_birth=D(2008, 2, 29), consent=None),),
        ),
        ORG,
        B,
        {"consent.current", "child.no_one_to_one"},
    ),
    (
        "born on 29 February: 18 on 1 March",
        send(
            now=on(D(2026, 3, 1)),
            recipients=(child(date_of_birth=D(2008, 2, 29), consent=None),),
        ),
        ORG,
        A,
        set(),
    ),
    (
        "registered as an adult but under 18",
        send(
            recipients=(
                Recipient("x1", PersonKind.OTHER_ADULT, date_of_birth=D(2010, 1, 1)),
            )
        ),
        ORG,
        B,
        {"consent.current", "child.no_one_to_one"},
    ),
    # purpose
    ("no purpose", send(purpose="  "), ORG, B, {"purpose.required"}),
    (
        "a retired purpose",
        send(purpose=Purpose("youth_club", "Youth club", retired=True)),
        ORG,
        B,
        {"purpose.required"},
    ),
    (
        "purpose outside the group's",
        send(
            recipients=(child(consent=consent(purposes=frozenset({"choir"}))), CHILD2),
            group=GROUP,
            purpose="choir",
        ),
        ORG,
        B,
        {"purpose.fits_group", "consent.purpose", "email.bcc"},
    ),
    # group sends
    (
        "group email goes bcc",
        send(recipients=(CHILD, CHILD2, PARENT), group=GROUP),
        ORG,
        AC,
        {"email.bcc"},
    ),
    (
        "group not in the consent",
        send(recipients=(CHILD, CHILD2), group=replace(GROUP, id="g9")),
        ORG,
        B,
        {"consent.group", "email.bcc"},
    ),
    (
        "group with an unchecked adult",
        send(
            recipients=(CHILD, CHILD2), group=replace(GROUP, has_uncleared_adult=True)
        ),
        ORG,
        B,
        {"group.uncleared_adult", "email.bcc"},
    ),
    (
        "parents' group with an unchecked adult",
        send(
            recipients=(PARENT, PARENT2),
            group=replace(GROUP, audience=Audience.ADULTS, has_uncleared_adult=True),
        ),
        ORG,
        AC,
        {"email.bcc"},
    ),
    (
        "group with an ex-worker",
        send(recipients=(CHILD, CHILD2), group=replace(GROUP, has_ex_worker=True)),
        ORG,
        B,
        {"group.ex_worker", "email.bcc"},
    ),
    (
        "email to two families",
        send(recipients=(PARENT, PARENT2)),
        ORG,
        AC,
        {"email.bcc"},
    ),
    (
        "group of one is still one-to-one",
        send(recipients=(CHILD,), group=GROUP),
        ORG,
        AC,
        {"email.bcc", "child.no_one_to_one"},
    ),
    # platforms
    (
        "child old enough for the platform on their birthday",
        send(
            channel=Channel.PLATFORM,
            recipients=(child(date_of_birth=D(2012, 1, 6)), CHILD2),
            group=GROUP,
        ),
        ORG,
        A,
        set(),
    ),
    (
        "child a day too young for the platform",
        send(
            channel=Channel.PLATFORM,
            recipients=(child(date_of_birth=D(2012, 1, 7)), CHILD2),
            group=GROUP,
        ),
        ORG,
        B,
        {"platform.minimum_age"},
    ),
    (
        "child's date of birth missing on a platform",
        send(
            channel=Channel.PLATFORM,
            recipients=(child(date_of_birth=None), CHILD2),
            group=GROUP,
        ),
        ORG,
        B,
        {"platform.minimum_age"},
    ),
    (
        "adult's date of birth missing on a platform",
        send(
            channel=Channel.PLATFORM,
            recipients=(CHILD, replace(PARENT, date_of_birth=None)),
            platform=SIGNAL,
        ),
        ORG,
        A,
        set(),
    ),
    (
        "platform not approved",
        send(
            channel=Channel.PLATFORM,
            recipients=(CHILD, PARENT),
            platform=replace(SIGNAL, approved=False),
        ),
        ORG,
        B,
        {"platform.approved"},
    ),
    (
        "platform not in the consent",
        send(
            channel=Channel.PLATFORM,
            recipients=(CHILD, PARENT),
            platform=replace(SIGNAL, name="WhatsApp"),
        ),
        ORG,
        B,
        {"platform.consented"},
    ),
    (
        "group platform left out of the parent's chosen platforms",
        send(
            recipients=(child(consent=consent(platforms=frozenset({"Email"}))), CHILD2),
            group=GROUP,
        ),
        ORG,
        B,
        {"email.bcc", "platform.consented"},
    ),
    (
        "a consent naming no platform does not limit them",
        send(
            recipients=(child(consent=consent(platforms=frozenset())), CHILD2),
            group=GROUP,
        ),
        ORG,
        AC,
        {"email.bcc"},
    ),
    (
        "a withdrawn consent is consent.current's, not the platform's",
        send(
            recipients=(child(consent=consent(withdrawn=True)), CHILD2),
            group=GROUP,
        ),
        ORG,
        B,
        {"email.bcc", "consent.current"},
    ),
    # content
    (
        "finding below the threshold",
        send(content_findings=(finding(Severity.LOW),)),
        ORG,
        A,
        set(),
    ),
    (
        "finding at the threshold",
        send(content_findings=(finding(Severity.LOW), finding(Severity.MEDIUM))),
        ORG,
        H,
        {"content.hold"},
    ),
    (
        "a stricter threshold",
        send(content_findings=(finding(Severity.LOW),)),
        replace(ORG, content_hold_threshold=Severity.LOW),
        H,
        {"content.hold"},
    ),
    # every reason is returned, the strongest wins
    (
        "several problems at once",
        send(
            sender=replace(WORKER, is_active_worker=False, personal_account=True),
            recipients=(child(consent=None),),
            content_findings=(finding(Severity.HIGH),),
        ),
        ORG,
        B,
        {
            "sender.active",
            "channel.organisation_account",
            "consent.current",
            "child.no_one_to_one",
            "content.hold",
        },
    ),
]


@pytest.mark.parametrize(
    ("request_", "org", "outcome", "rules"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(request_, org, outcome, rules):
    decision = decide(request_, org)
    assert decision.outcome is outcome, decision.reasons
    assert rule_ids(decision) == rules


def test_every_reason_explains_itself():
    for _, request_, org, _, _ in CASES:
        for reason in decide(request_, org).reasons:
            rule = RULES[reason.rule_id]
            assert reason.message
            assert (reason.guidance, reason.fix) == (rule.guidance, rule.fix)


def test_clearance_reasons_are_shown_to_the_sender():
    why = ("The DBS check was due for renewal on 01 March 2024.",)
    sender = replace(WORKER, cleared_children=False, clearance_reasons=why)
    [reason] = decide(send(sender=sender), ORG).reasons
    assert why[0] in reason.message


# no one-to-one with a child: who gets copied in


@pytest.mark.parametrize(
    ("policy", "parents", "seconds", "expected"),
    [
        (
            CopyPolicy.PARENT_THEN_SECOND_ADULT,
            ("p1",),
            ("w2",),
            ("add_cc_parent", "p1"),
        ),
        (
            CopyPolicy.PARENT_THEN_SECOND_ADULT,
            (),
            ("w2",),
            ("add_cc_second_adult", "w2"),
        ),
        (CopyPolicy.PARENT, ("p1", "p9"), ("w2",), ("add_cc_parent", "p1")),
        (CopyPolicy.PARENT, (), ("w2",), None),
        (CopyPolicy.SECOND_ADULT, ("p1",), ("w2",), ("add_cc_second_adult", "w2")),
        (CopyPolicy.SECOND_ADULT, ("p1",), ("w1", "w3"), ("add_cc_second_adult", "w3")),
        (CopyPolicy.SECOND_ADULT, ("p1",), ("w1",), None),
        (CopyPolicy.PARENT_THEN_SECOND_ADULT, (), (), None),
    ],
)
def test_one_to_one_with_a_child_copies_someone_in(policy, parents, seconds, expected):
    org = OrgRules(copy_policy=policy, second_adults=seconds)
    decision = decide(send(recipients=(child(parents=parents),)), org)
    [reason] = decision.reasons
    assert reason.rule_id == "child.no_one_to_one"
    if expected is None:
        assert decision.outcome is Outcome.BLOCK
        assert decision.changes == ()
    else:
        assert decision.outcome is Outcome.ALLOW_WITH_CHANGES
        assert [(c.kind, c.person_id) for c in decision.changes] == [expected]


def test_a_second_adult_already_present_is_enough():
    worker2 = Recipient("w2", PersonKind.WORKER)
    decision = decide(send(recipients=(CHILD, worker2)), ORG)
    assert decision.outcome is Outcome.ALLOW


def test_one_second_adult_covers_several_children():
    org = replace(ORG, copy_policy=CopyPolicy.SECOND_ADULT)
    decision = decide(send(recipients=(CHILD, CHILD2)), org)
    assert rule_ids(decision) == {"child.no_one_to_one", "email.bcc"}
    kinds = [(c.kind, c.person_id) for c in decision.changes]
    assert kinds == [("add_cc_second_adult", "w2"), ("use_bcc", None)]


def test_each_child_gets_their_own_parent_copied():
    decision = decide(send(recipients=(CHILD, CHILD2)), ORG)
    assert [(c.kind, c.person_id) for c in decision.changes] == [
        ("add_cc_parent", "p1"),
        ("add_cc_parent", "p2"),
        ("use_bcc", None),
    ]


# adults at risk


@pytest.mark.parametrize(
    ("recipient", "org", "outcome", "rules"),
    [
        (ADULT, ORG, AC, {"adult.one_to_one_transparent"}),
        (
            adult(withdrawn=True),
            ORG,
            B,
            {"consent.current", "adult.one_to_one_transparent"},
        ),
        (
            adult(expires_on=D(2025, 1, 5)),
            ORG,
            B,
            {"consent.current", "adult.one_to_one_transparent"},
        ),
        (
            replace(ADULT, consent=None),
            ORG,
            B,
            {"consent.current", "adult.one_to_one_transparent"},
        ),
        (
            adult(kind=ConsentKind.PARENTAL),
            ORG,
            B,
            {"consent.current", "adult.one_to_one_transparent"},
        ),
        (
            adult(capacity=None),
            ORG,
            B,
            {"adult.capacity", "adult.one_to_one_transparent"},
        ),
        (
            adult(capacity=Capacity.NEEDS_SUPPORT),
            ORG,
            B,
            {"adult.capacity", "adult.one_to_one_transparent"},
        ),
        (
            adult(capacity=Capacity.BEST_INTERESTS, capacity_decided_by=" "),
            ORG,
            B,
            {"adult.capacity", "adult.one_to_one_transparent"},
        ),
        (
            adult(capacity=Capacity.BEST_INTERESTS, capacity_decided_by="Dr Rao"),
            ORG,
            AC,
            {"adult.one_to_one_transparent"},
        ),
        (
            adult(allowed_senders=frozenset({"w9"})),
            ORG,
            B,
            {"consent.sender", "adult.one_to_one_transparent"},
        ),
        (
            adult(allowed_roles=frozenset({"youth_leader"})),
            ORG,
            AC,
            {"adult.one_to_one_transparent"},
        ),
        (
            adult(purposes=frozenset({"other"})),
            ORG,
            B,
            {"consent.purpose", "adult.one_to_one_transparent"},
        ),
    ],
)
def test_adult_at_risk(recipient, org, outcome, rules):
    decision = decide(send(recipients=(recipient,), purpose="befriending"), org)
    assert decision.outcome is outcome, decision.reasons
    assert rule_ids(decision) == rules


@pytest.mark.parametrize(
    ("supervisor", "recipients", "expected"),
    [
        (None, (ADULT,), [("notify_lead", None)]),
        ("s1", (ADULT,), [("notify_lead", None), ("copy_supervisor", "s1")]),
        ("w1", (ADULT,), [("notify_lead", None)]),  # the sender is the supervisor
        (
            "s1",
            (ADULT, Recipient("s1", PersonKind.WORKER)),
            [("notify_lead", None)],
        ),
    ],
)
def test_one_to_one_with_an_adult_at_risk_is_transparent(
    supervisor, recipients, expected
):
    org = replace(ORG, adults_supervisor=supervisor)
    decision = decide(send(recipients=recipients, purpose="befriending"), org)
    assert decision.outcome is Outcome.ALLOW_WITH_CHANGES
    assert [(c.kind, c.person_id) for c in decision.changes] == expected


def test_an_adults_at_risk_group_send_is_not_one_to_one():
    group = GroupInfo("g2", frozenset({"befriending"}), Audience.ADULTS_AT_RISK)
    adult2 = replace(ADULT, id="a2")
    adults = (
        adult(groups=frozenset({"g2"})),
        replace(adult2, consent=replace(ADULT_CONSENT, groups=frozenset({"g2"}))),
    )
    decision = decide(send(recipients=adults, group=group, purpose="befriending"), ORG)
    assert rule_ids(decision) == {"email.bcc"}


def test_an_adults_named_supporter_is_copied_in():
    decision = decide(send(recipients=(replace(ADULT, supporter="s9"),)), ORG)
    assert ("copy_supporter", "s9") in [(c.kind, c.person_id) for c in decision.changes]
    assert "access.supporter_copied" in rule_ids(decision)


@pytest.mark.parametrize(
    "request_",
    [
        # a child's copies are their parents' or a second adult's
        send(recipients=(child(supporter="s9"), PARENT)),
        # a supporter already on the message is not copied twice
        send(recipients=(replace(ADULT, supporter="p1"), PARENT)),
        # nobody outside a children's group reads its messages
        send(
            recipients=(replace(ADULT, supporter="s9"), CHILD),
            group=replace(GROUP, audience=Audience.MIXED),
        ),
    ],
    ids=["child", "already there", "children's group"],
)
def test_a_supporter_is_not_copied(request_):
    assert "access.supporter_copied" not in rule_ids(decide(request_, ORG))


# agreed hours, through decide()


@pytest.mark.parametrize(
    ("now", "outcome", "deliver_at"),
    [
        (on(D(2025, 1, 6), 15, 59), DF, on(D(2025, 1, 6), 16)),
        (on(D(2025, 1, 6), 16, 0), A, None),
        (on(D(2025, 1, 6), 19, 59), A, None),
        (on(D(2025, 1, 6), 20, 0), DF, on(D(2025, 1, 7), 16)),
        (on(D(2025, 1, 10), 20, 0), DF, on(D(2025, 1, 13), 16)),  # Fri -> Mon
        (on(D(2025, 1, 11), 10, 0), DF, on(D(2025, 1, 13), 16)),  # Saturday
        # the Saturday the clocks go forward: Monday 16:00 is BST
        (on(D(2025, 3, 29), 12, 0), DF, on(D(2025, 3, 31), 16)),
    ],
)
def test_outside_agreed_hours_waits_for_the_next_window(now, outcome, deliver_at):
    decision = decide(send(now=now), ORG)
    assert decision.outcome is outcome
    assert decision.deliver_at == deliver_at
    if outcome is DF:
        assert rule_ids(decision) == {"hours.agreed"}
        assert decision.deliver_at is not None
        assert decision.deliver_at.utcoffset() == deliver_at.utcoffset()


def test_outside_hours_can_block_instead():
    org = replace(ORG, outside_hours=OutsideHours.BLOCK)
    decision = decide(send(now=on(D(2025, 1, 6), 21)), org)
    assert (decision.outcome, rule_ids(decision)) == (B, {"hours.agreed"})
    assert decision.deliver_at is None


def test_urgent_override_with_a_reason_tells_the_lead():
    request = send(
        now=on(D(2025, 1, 6), 22), urgent=True, urgent_reason="Camp cancelled"
    )
    decision = decide(request, ORG)
    assert decision.outcome is Outcome.ALLOW_WITH_CHANGES
    assert decision.changes == (
        Change(ChangeKind.NOTIFY_LEAD, None, "hours.urgent_override"),
    )


def test_urgent_override_without_a_reason_is_blocked():
    request = send(now=on(D(2025, 1, 6), 22), urgent=True, urgent_reason=" ")
    decision = decide(request, ORG)
    assert (decision.outcome, rule_ids(decision)) == (B, {"hours.urgent_override"})


def test_urgent_inside_hours_changes_nothing():
    assert decide(send(urgent=True), ORG).outcome is Outcome.ALLOW


def test_group_hours_and_consent_hours_both_apply():
    group = replace(GROUP, hours=AgreedHours((Window(MON, dt.time(18), dt.time(19)),)))
    request = send(recipients=(CHILD, CHILD2), group=group)
    decision = decide(request, ORG)
    assert decision.outcome is Outcome.DEFER
    assert decision.deliver_at == on(D(2025, 1, 6), 18)


def test_hours_that_never_overlap_block():
    group = replace(GROUP, hours=SATURDAY)
    decision = decide(send(recipients=(CHILD, CHILD2), group=group), ORG)
    assert decision.outcome is Outcome.BLOCK
    assert "hours.agreed" in rule_ids(decision)


def test_a_consent_without_hours_uses_the_organisations_default():
    request = send(recipients=(child(consent=consent(hours=None)), PARENT))
    org = replace(ORG, default_hours=SATURDAY)
    assert decide(request, org).deliver_at == on(D(2025, 1, 11), 10)


def _goes_now(decision: Decision) -> bool:
    return decision.may_send and decision.deliver_at is None


PARENTS_GROUP = replace(
    GROUP, audience=Audience.ADULTS, purposes=frozenset({"youth_club"})
)


def test_a_group_without_hours_keeps_the_default_when_nobody_brings_hours():
    request = send(recipients=(PARENT, PARENT2), group=PARENTS_GROUP)
    assert _goes_now(decide(request, ORG))  # no hours anywhere
    decision = decide(request, replace(ORG, default_hours=SATURDAY))
    assert decision.outcome is Outcome.DEFER
    assert "hours.agreed" in rule_ids(decision)
    assert decision.deliver_at == on(D(2025, 1, 11), 10)


def test_a_groups_own_hours_win_over_the_default():
    group = replace(PARENTS_GROUP, hours=EVENINGS)
    request = send(recipients=(PARENT, PARENT2), group=group)
    assert _goes_now(decide(request, replace(ORG, default_hours=SATURDAY)))


def test_in_a_group_without_hours_consent_hours_win_over_the_default():
    # The children's consents agree weekday evenings: Saturday's default
    # does not narrow them (else the hours would never overlap).
    request = send(recipients=(CHILD, CHILD2), group=GROUP)
    assert _goes_now(decide(request, replace(ORG, default_hours=SATURDAY)))


def test_group_hours_is_the_groups_own_else_the_default():
    assert group_hours(EVENINGS, SATURDAY) is EVENINGS
    assert group_hours(None, SATURDAY) is SATURDAY
    assert group_hours(None, None) is None


def test_no_agreed_hours_at_all_blocks():
    request = send(recipients=(child(consent=consent(hours=None)), PARENT))
    decision = decide(request, ORG)
    assert (decision.outcome, rule_ids(decision)) == (B, {"hours.none_agreed"})


def test_a_hold_outside_hours_still_waits_for_the_window():
    request = send(
        now=on(D(2025, 1, 6), 21), content_findings=(finding(Severity.HIGH),)
    )
    decision = decide(request, ORG)
    assert decision.outcome is Outcome.HOLD
    assert decision.deliver_at == on(D(2025, 1, 7), 16)
    assert not decision.may_send


def test_a_block_has_no_delivery_time():
    request = send(now=on(D(2025, 1, 6), 21), purpose="")
    decision = decide(request, ORG)
    assert decision.outcome is Outcome.BLOCK
    assert decision.deliver_at is None


def test_the_org_timezone_decides_the_local_time():
    now = dt.datetime(2025, 1, 6, 17, 0, tzinfo=dt.UTC)  # 04:00 in Auckland
    assert decide(send(now=now), ORG).outcome is Outcome.ALLOW
    auckland = replace(ORG, timezone="Pacific/Auckland")
    assert decide(send(now=now), auckland).outcome is Outcome.DEFER


# bad input


def test_it_refuses_a_message_with_no_recipients():
    with pytest.raises(PolicyError):
        decide(send(recipients=()), ORG)


def test_it_refuses_a_naive_now():
    with pytest.raises(PolicyError):
        decide(send(now=dt.datetime(2025, 1, 6, 17)), ORG)  # noqa: DTZ001


def test_it_refuses_a_platform_message_without_a_platform():
    with pytest.raises(PolicyError):
        decide(send(channel=Channel.PLATFORM), ORG)


def test_outcomes_rank_in_precedence_order():
    ranked = sorted(Outcome, key=lambda o: o.rank)
    assert ranked == [A, AC, DF, H, B]
    assert decide(send(), ORG).may_send


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (
            replace(GROUP, has_ex_worker=True, ex_worker_names=("Ex Worker",)),
            "still in this group: Ex Worker.",
        ),
        (
            replace(
                GROUP,
                has_uncleared_adult=True,
                uncleared_names=("Pat Parent", "Una Uncle", "Al Aunt"),
            ),
            "check in it: Pat Parent, Una Uncle and Al Aunt.",
        ),
        (replace(GROUP, has_ex_worker=True), "still in this group."),
    ],
)
def test_group_reasons_name_the_people_concerned(group, expected):
    decision = decide(send(recipients=(CHILD, CHILD2), group=group), ORG)
    [found] = [r for r in decision.reasons if r.rule_id.startswith("group.")]
    assert found.message.endswith(expected)
