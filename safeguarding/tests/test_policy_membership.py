"""decide_membership() and the rules new to message decisions, table-driven."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguarding.policy import (
    Audience,
    Candidate,
    Channel,
    Consent,
    ConsentKind,
    DbsLevel,
    GroupInfo,
    MembershipRequest,
    MessageRequest,
    OrgRules,
    Outcome,
    PersonKind,
    Platform,
    PolicyError,
    Purpose,
    Recipient,
    Sender,
    WorkerFacts,
    decide,
    decide_membership,
    local_day,
)

LONDON = ZoneInfo("Europe/London")
D = dt.date
NOW = dt.datetime(2025, 1, 6, 17, 0, tzinfo=LONDON)  # a Monday
A, B, H = Outcome.ALLOW, Outcome.BLOCK, Outcome.HOLD

WHATSAPP = Platform("WhatsApp", minimum_age=16, approved=True)
EMAIL = Platform("Email", minimum_age=0, approved=True)
YOUTH = GroupInfo(
    id="g1",
    purposes=frozenset({"youth_club"}),
    audience=Audience.CHILDREN,
    platform=EMAIL,
    age_min=11,
    age_max=14,
)
CHILD = Candidate("c1", PersonKind.CHILD, D(2012, 3, 1))  # 12
CLEARED = WorkerFacts(
    start_date=D(2020, 1, 1),
    dbs_level=DbsLevel.ENHANCED,
    certificate_date=D(2024, 1, 1),
    training_level=1,
    training_expires_on=D(2026, 1, 1),
)
WORKER = Candidate("w1", PersonKind.WORKER, D(1980, 1, 1), CLEARED)
PARENT = Candidate("p1", PersonKind.PARENT, D(1980, 1, 1))
ADULT = Candidate("a1", PersonKind.ADULT_AT_RISK, D(1950, 1, 1))
SIGNAL_ONLY = Consent(
    kind=ConsentKind.PARENTAL,
    given_on=D(2024, 9, 1),
    channels=frozenset({Channel.EMAIL, Channel.PLATFORM}),
    platforms=frozenset({"Signal"}),
)


def join(
    candidate: Candidate = CHILD, group: GroupInfo = YOUTH, **kw: Any
) -> MembershipRequest:
    return MembershipRequest(candidate, group, **{"now": NOW, **kw})


MEMBERSHIP = [
    ("a child of the right age", join(), A, set()),
    (
        "a child on their 11th birthday",
        join(replace(CHILD, date_of_birth=D(2014, 1, 6))),
        A,
        set(),
    ),
    (
        "a child a day short of 11",
        join(replace(CHILD, date_of_birth=D(2014, 1, 7))),
        H,
        {"group.age_range"},
    ),
    (
        "a child of 15 in an 11-14 group",
        join(replace(CHILD, date_of_birth=D(2009, 6, 1))),
        H,
        {"group.age_range"},
    ),
    (
        "a child without a date of birth",
        join(replace(CHILD, date_of_birth=None)),
        H,
        {"group.age_range"},
    ),
    (
        "the Lead's reason admits the exception",
        join(
            replace(CHILD, date_of_birth=D(2009, 6, 1)),
            exception_reason="Sibling joins with a parent's agreement",
        ),
        A,
        {"group.age_range"},
    ),
    (
        "a group with only a youngest age",
        join(replace(CHILD, date_of_birth=D(2009, 6, 1)), replace(YOUTH, age_max=None)),
        A,
        set(),
    ),
    (
        "a group with only an oldest age",
        join(replace(CHILD, date_of_birth=D(2009, 6, 1)), replace(YOUTH, age_min=None)),
        H,
        {"group.age_range"},
    ),
    (
        "a group with no age range",
        join(
            replace(CHILD, date_of_birth=None),
            replace(YOUTH, age_min=None, age_max=None),
        ),
        A,
        set(),
    ),
    (
        "a child under the platform's age",
        join(group=replace(YOUTH, platform=WHATSAPP)),
        B,
        {"platform.minimum_age"},
    ),
    (
        "a child on a platform, no date of birth",
        join(
            replace(CHILD, date_of_birth=None),
            replace(YOUTH, platform=WHATSAPP, age_min=None, age_max=None),
        ),
        B,
        {"platform.minimum_age"},
    ),
    (
        "a child old enough for the platform",
        join(
            replace(CHILD, date_of_birth=D(2009, 1, 6)),
            replace(YOUTH, platform=WHATSAPP, age_max=None),
        ),
        A,
        set(),
    ),
    ("a cleared worker in a children's group", join(WORKER), A, set()),
    (
        "a worker whose DBS lapsed",
        join(replace(WORKER, worker=replace(CLEARED, certificate_date=D(2021, 1, 1)))),
        B,
        {"group.uncleared_adult"},
    ),
    (
        "a worker who left",
        join(replace(WORKER, worker=replace(CLEARED, end_date=D(2025, 1, 5)))),
        B,
        {"group.ex_worker"},
    ),
    (
        "a worker on their last day",
        join(replace(WORKER, worker=replace(CLEARED, end_date=D(2025, 1, 6)))),
        A,
        set(),
    ),
    (
        "a worker who left, in an adults' group",
        join(
            replace(WORKER, worker=replace(CLEARED, end_date=D(2024, 1, 1))),
            replace(YOUTH, audience=Audience.ADULTS_AT_RISK),
        ),
        B,
        {"group.ex_worker"},
    ),
    ("a parent in a children's group", join(PARENT), B, {"group.uncleared_adult"}),
    (
        "a parent in a mixed group",
        join(PARENT, replace(YOUTH, audience=Audience.MIXED)),
        B,
        {"group.uncleared_adult"},
    ),
    (
        "a parent in a parents' group",
        join(PARENT, replace(YOUTH, audience=Audience.ADULTS)),
        A,
        set(),
    ),
    (
        "an adult at risk in a mixed group",
        join(ADULT, replace(YOUTH, audience=Audience.MIXED)),
        A,
        set(),
    ),
    (
        "a registered child who turned 18",
        join(replace(CHILD, date_of_birth=D(2007, 1, 6))),
        B,
        {"group.uncleared_adult"},
    ),
    (
        "a child whose consent names other platforms",
        join(replace(CHILD, consent=SIGNAL_ONLY)),
        B,
        {"platform.consented"},
    ),
    (
        "a child whose consent names the group's platform",
        join(
            replace(CHILD, consent=replace(SIGNAL_ONLY, platforms=frozenset({"Email"})))
        ),
        A,
        set(),
    ),
    (
        "a consent that names no platform does not limit them",
        join(replace(CHILD, consent=replace(SIGNAL_ONLY, platforms=frozenset()))),
        A,
        set(),
    ),
    (
        "a withdrawn consent is the message's to refuse, not the join's",
        join(replace(CHILD, consent=replace(SIGNAL_ONLY, withdrawn=True))),
        A,
        set(),
    ),
    (
        "an adult at risk whose own consent names other platforms",
        join(
            replace(ADULT, consent=replace(SIGNAL_ONLY, kind=ConsentKind.ADULT)),
            replace(
                YOUTH, audience=Audience.ADULTS_AT_RISK, age_min=None, age_max=None
            ),
        ),
        B,
        {"platform.consented"},
    ),
    (
        "a parent's own platforms are not asked",
        join(
            replace(PARENT, consent=SIGNAL_ONLY),
            replace(YOUTH, audience=Audience.ADULTS, age_min=None, age_max=None),
        ),
        A,
        set(),
    ),
]


@pytest.mark.parametrize(
    ("request_", "outcome", "rules"),
    [case[1:] for case in MEMBERSHIP],
    ids=[case[0] for case in MEMBERSHIP],
)
def test_decide_membership(request_, outcome, rules):
    decision = decide_membership(request_)
    assert decision.outcome is outcome
    assert {r.rule_id for r in decision.reasons} == rules
    assert all(r.message and r.fix and r.person_id for r in decision.reasons)


def test_membership_uses_the_organisations_day():
    # 23:30 in London on 5 January is already 6 January in Tokyo.
    late = dt.datetime(2025, 1, 5, 23, 30, tzinfo=LONDON)
    left = replace(WORKER, worker=replace(CLEARED, end_date=D(2025, 1, 5)))
    assert decide_membership(join(left, now=late)).outcome is A
    assert decide_membership(join(left, now=late, timezone="Asia/Tokyo")).outcome is B


def test_membership_refuses_an_unknown_timezone():
    with pytest.raises(PolicyError):
        decide_membership(join(timezone="Mars/Olympus"))


def test_the_local_day_follows_the_organisations_timezone():
    utc_late = dt.datetime(2025, 1, 5, 23, 30, tzinfo=dt.UTC)
    assert local_day(utc_late, "Europe/London") == D(2025, 1, 5)
    assert local_day(utc_late, "Asia/Tokyo") == D(2025, 1, 6)
    with pytest.raises(PolicyError):
        local_day(dt.datetime(2025, 1, 5, 23, 30), "Europe/London")  # noqa: DTZ001


# --- The same rules when a message leaves -------------------------------------

SENDER = Sender("w1", True, True, True, role="youth_leader")
TEEN = Recipient("c1", PersonKind.CHILD, D(2011, 5, 1))
TEEN2 = replace(TEEN, id="c2")


def message(**kw: Any) -> MessageRequest:
    base = MessageRequest(
        sender=SENDER,
        recipients=(TEEN, TEEN2),
        channel=Channel.EMAIL,
        purpose=Purpose("youth_club", "Youth club"),
        now=NOW,
        group=YOUTH,
    )
    return replace(base, **kw)


def rules_of(request: MessageRequest) -> set[str]:
    return {r.rule_id for r in decide(request, OrgRules()).reasons}


def test_a_group_email_checks_the_groups_platform_approval():
    unapproved = replace(YOUTH, platform=replace(WHATSAPP, approved=False))
    decision = decide(message(group=unapproved), OrgRules())
    assert decision.outcome is B
    reason = next(r for r in decision.reasons if r.rule_id == "platform.approved")
    assert "This group runs on WhatsApp" in reason.message


def test_a_group_email_checks_members_ages_against_the_platform():
    assert "platform.minimum_age" in rules_of(
        message(group=replace(YOUTH, platform=WHATSAPP))
    )
    assert "platform.minimum_age" not in rules_of(message())


def test_a_platform_with_no_minimum_age_needs_no_date_of_birth():
    no_dob = replace(TEEN, date_of_birth=None)
    assert "platform.minimum_age" not in rules_of(message(recipients=(no_dob, TEEN2)))


def test_a_group_run_from_a_personal_account_is_blocked():
    personal = replace(YOUTH, personal_account=True)
    decision = decide(message(group=personal), OrgRules())
    assert decision.outcome is B
    assert "channel.organisation_account" in {r.rule_id for r in decision.reasons}
    assert "channel.organisation_account" not in rules_of(message())


@pytest.mark.parametrize(
    ("channel", "words"),
    [(Channel.EMAIL, "email address"), (Channel.IN_APP, "SafeContact login")],
)
def test_someone_the_organisation_cannot_reach_blocks_the_message(channel, words):
    unreachable = replace(TEEN2, reachable=False)
    decision = decide(
        message(channel=channel, recipients=(TEEN, unreachable)), OrgRules()
    )
    assert decision.outcome is B
    reason = next(r for r in decision.reasons if r.rule_id == "gateway.reachable")
    assert words in reason.message and reason.person_id == "c2"


ADULT_R = Recipient("a1", PersonKind.ADULT_AT_RISK, D(1950, 1, 1))


@pytest.mark.parametrize(
    ("supervisors", "copied"),
    [
        ((), None),
        (("s1",), "s1"),
        (("w1", "s2"), "s2"),  # the sender is not copied to themself
        (("a1",), None),  # nor the adult, already on the message
    ],
)
def test_the_first_named_supervisor_is_copied_into_one_to_one_adult_contact(
    supervisors, copied
):
    request = message(
        recipients=(ADULT_R,), group=None, purpose=Purpose("befriending", "Befriending")
    )
    decision = decide(request, OrgRules(supervisors=supervisors))
    found = [c.person_id for c in decision.changes if c.kind == "copy_supervisor"]
    assert found == ([copied] if copied else [])
