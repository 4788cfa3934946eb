"""decide_reply() and recheck(): replies and the check made as a message leaves."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from safeguarding.policy import (
    Change,
    ChangeKind,
    Channel,
    CopyPolicy,
    Decision,
    MessageRequest,
    OrgRules,
    Outcome,
    PersonKind,
    Purpose,
    Recipient,
    Sender,
    decide,
)
from safeguarding.policy.recheck import recheck
from safeguarding.policy.replies import ReplyRequest, decide_reply, seconds_for
from safeguarding.policy.rules import reason
from safeguarding.screening.findings import Finding, Severity

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 11 March 01:00 in Auckland
CHILD = Recipient("c1", PersonKind.CHILD, dt.date(2014, 1, 1), parents=("p1",))
ORPHANED = replace(CHILD, parents=())
ADULT = Recipient("a1", PersonKind.ADULT_AT_RISK, dt.date(1950, 1, 1))
PARENT = Recipient("p9", PersonKind.PARENT, dt.date(1980, 1, 1))
# 18 on 11 March 2026: an adult in Auckland at NOW, still a child in London.
NEARLY_18 = replace(CHILD, date_of_birth=dt.date(2008, 3, 11))
ORG = OrgRules(second_adults=("w1", "w2"))


def reply(
    who: Recipient = CHILD, worker: str | None = "w1", **kw: object
) -> ReplyRequest:
    return ReplyRequest(who, worker, NOW, **kw)  # type: ignore[arg-type]


def secret(severity: Severity) -> Finding:
    return Finding("grooming.secrecy", severity, 0, 6, "secret", "why", "what")


def summary(decision: Decision) -> tuple[str, set[str], set[tuple[str, str | None]]]:
    return (
        decision.outcome.value,
        {r.rule_id for r in decision.reasons},
        {(c.kind.value, c.person_id) for c in decision.changes},
    )


NOTIFY = ("notify_lead", None)


@pytest.mark.parametrize(
    ("request_", "org", "expected"),
    [
        pytest.param(
            reply(),
            ORG,
            (
                "allow_with_changes",
                {"child.no_one_to_one", "reply.visible"},
                {("add_cc_parent", "p1"), NOTIFY},
            ),
            id="child-copied-to-parent",
        ),
        pytest.param(
            reply(ORPHANED),
            ORG,
            (
                "allow_with_changes",
                {"child.no_one_to_one", "reply.visible"},
                {("add_cc_second_adult", "w2"), NOTIFY},
            ),
            id="never-the-worker-as-second-adult",
        ),
        pytest.param(
            reply(already=frozenset({"p1"})),
            ORG,
            ("allow_with_changes", {"reply.visible"}, {NOTIFY}),
            id="parent-already-on-the-reply",
        ),
        pytest.param(
            reply(ORPHANED),
            OrgRules(copy_policy=CopyPolicy.PARENT, second_adults=("w2",)),
            ("hold", {"reply.no_one_to_one", "reply.visible"}, {NOTIFY}),
            id="nobody-to-copy-holds",
        ),
        pytest.param(
            reply(ORPHANED),
            OrgRules(second_adults=("w1",)),
            ("hold", {"reply.no_one_to_one", "reply.visible"}, {NOTIFY}),
            id="the-worker-alone-is-no-second-adult",
        ),
        pytest.param(
            reply(worker=None),
            ORG,
            ("allow_with_changes", {"reply.visible"}, {NOTIFY}),
            id="no-worker-no-copy",
        ),
        pytest.param(
            reply(ADULT),
            ORG,
            ("allow_with_changes", {"reply.visible"}, {NOTIFY}),
            id="adult-at-risk-seen-by-lead",
        ),
        pytest.param(reply(PARENT), ORG, ("allow", set(), set()), id="parent"),
        pytest.param(
            reply(NEARLY_18),
            ORG,
            (
                "allow_with_changes",
                {"child.no_one_to_one", "reply.visible"},
                {("add_cc_parent", "p1"), NOTIFY},
            ),
            id="organisation-date-london-still-17",
        ),
        pytest.param(
            reply(NEARLY_18),
            replace(ORG, timezone="Pacific/Auckland"),
            ("allow", set(), set()),
            id="organisation-date-auckland-already-18",
        ),
        pytest.param(
            reply(PARENT, content_findings=(secret(Severity.HIGH),)),
            ORG,
            ("hold", {"content.hold"}, set()),
            id="content-holds",
        ),
        pytest.param(
            reply(PARENT, content_findings=(secret(Severity.LOW),)),
            ORG,
            ("allow", set(), set()),
            id="content-below-threshold",
        ),
    ],
)
def test_decide_reply(
    request_: ReplyRequest,
    org: OrgRules,
    expected: tuple[str, set[str], set[tuple[str, str | None]]],
) -> None:
    assert summary(decide_reply(request_, org)) == expected


def test_the_worker_is_never_a_second_adult_for_their_own_reply() -> None:
    assert seconds_for(reply(worker="w2"), ORG) == ["w1"]


WORKER = Sender("w1", True, True, True, role="youth_leader")


def message(*recipients: Recipient, sender: Sender = WORKER) -> MessageRequest:
    return MessageRequest(
        sender, recipients, Channel.EMAIL, Purpose("youth group", "Youth group"), NOW
    )


def blocked() -> Decision:
    return decide(message(PARENT, sender=replace(WORKER, is_active_worker=False)), ORG)


def copied() -> Decision:
    """Today's decision copies the child's parent in."""
    change = Change(ChangeKind.ADD_CC_PARENT, "p1", "child.no_one_to_one")
    why = reason(
        "child.no_one_to_one",
        Outcome.ALLOW_WITH_CHANGES,
        "copied",
        person="c1",
        changes=(change,),
    )
    return Decision(Outcome.ALLOW_WITH_CHANGES, (why,), (change,))


def held(rule: str) -> Decision:
    return Decision(Outcome.HOLD, (reason(rule, Outcome.HOLD, "held"),), ())


def deferred() -> Decision:
    why = reason("hours.agreed", Outcome.DEFER, "later")
    return Decision(Outcome.DEFER, (why,), (), NOW + dt.timedelta(hours=8))


MAY_COPY = {"c1": frozenset({"p1", "p2", "w2"})}


@pytest.mark.parametrize(
    ("decision", "reviewed", "copied_to", "stopped", "by", "waits"),
    [
        pytest.param(
            blocked(), (), ("p1",), True, {"sender.active"}, False, id="block"
        ),
        pytest.param(
            held("reply.no_one_to_one"),
            (),
            (),
            True,
            {"reply.no_one_to_one"},
            False,
            id="new-hold",
        ),
        pytest.param(
            held("reply.no_one_to_one"),
            ("reply.no_one_to_one",),
            (),
            False,
            set(),
            False,
            id="hold-the-lead-released",
        ),
        pytest.param(copied(), (), ("p1",), False, set(), False, id="same-copy"),
        pytest.param(copied(), (), ("p2",), False, set(), False, id="other-parent"),
        pytest.param(copied(), (), ("w2",), False, set(), False, id="second-adult"),
        pytest.param(
            copied(),
            (),
            ("p7",),
            True,
            {"child.no_one_to_one"},
            False,
            id="copy-no-longer-possible",
        ),
        pytest.param(deferred(), (), (), False, set(), True, id="outside-hours-waits"),
        pytest.param(
            decide(message(PARENT), ORG), (), (), False, set(), False, id="allowed"
        ),
    ],
)
def test_recheck(
    decision: Decision,
    reviewed: tuple[str, ...],
    copied_to: tuple[str, ...],
    stopped: bool,
    by: set[str],
    waits: bool,
) -> None:
    check = recheck(
        decision,
        reviewed=frozenset(reviewed),
        copied=frozenset(copied_to),
        may_copy=MAY_COPY,
    )
    assert check.stopped is stopped
    if stopped:
        assert {r.rule_id for r in check.reasons} == by
    assert (check.wait_until is not None) is waits
    assert check.decision is decision
