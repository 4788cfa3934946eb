"""Conversation risk: levels, their reasons, and the early-warning event."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import safeguarding.screening
from safeguarding.screening import (
    Contribution,
    ConversationRisk,
    Finding,
    Level,
    ScreeningError,
    Severity,
    Thresholds,
    scan,
)
from safeguarding.screening.risk import score_of

GROOMING = [
    ("adult", "hey sexy, you are so beautiful"),
    ("child", "thanks lol"),
    ("adult", "how old are you? is your mum home"),
    ("adult", "send me a pic"),
    ("adult", "don't tell your mum we talk, delete our chat"),
    ("adult", "add me on snap"),
    ("adult", "what are you wearing"),
]
BENIGN = [
    ("leader", "Youth club is at 7 tonight, send me the rota"),
    ("parent", "my mum says hi, see you at 10:30"),
    ("leader", "tickets are £12.50"),
]


def _feed(messages, thresholds=None):
    risk = ConversationRisk(thresholds)
    events = [risk.add(sender, scan(text)) for sender, text in messages]
    return risk, events


def test_grooming_pattern_rises_to_high_with_reasons_in_order():
    risk, events = _feed(GROOMING)
    assert risk.level("adult") is Level.HIGH
    assert risk.level() is Level.HIGH
    assert risk.level("child") is Level.NONE
    high = [e for e in events if e and e.early_warning]
    assert len(high) == 1
    reasons = [r.indicator for r in high[0].reasons]
    assert reasons[:2] == ["grooming.flattery", "grooming.flattery"] or reasons[0] == (
        "grooming.flattery"
    )
    assert [r.message_index for r in high[0].reasons] == sorted(
        r.message_index for r in high[0].reasons
    )
    assert risk.events[-1] is high[0]
    assert high[0].previous < Level.HIGH


def test_levels_rise_one_event_at_a_time_and_never_repeat():
    _risk, events = _feed(GROOMING)
    levels = [e.level for e in events if e]
    assert levels == sorted(set(levels))
    assert levels[0] is Level.LOW


def test_benign_messages_stay_at_none():
    risk, events = _feed(BENIGN)
    assert risk.level() is Level.NONE
    assert events == [None, None, None]


def test_a_single_category_repeated_does_not_reach_high():
    risk, _ = _feed([("a", "send me a pic")] * 20)
    assert risk.level("a") is Level.MEDIUM
    assert risk.explain("a")[0].indicator == "grooming.image_request"


def test_old_findings_leave_the_window():
    thresholds = Thresholds(window=2)
    risk, _ = _feed(
        [("a", "you are so pretty"), ("a", "ok"), ("a", "ok"), ("a", "ok")], thresholds
    )
    assert risk.explain("a") == ()


def test_personal_details_count_a_little():
    _risk, events = _feed([("a", "call me on 07700 900123")])
    assert events[0] is not None and events[0].level is Level.LOW
    assert events[0].score == 0.5


def test_extra_contributions_are_counted():
    risk = ConversationRisk()
    extra = [Contribution(0, "model.grooming", "word", 1.0)]
    event = risk.add("a", (), extra=extra)
    assert event is not None and event.reasons == tuple(extra)


def test_unknown_senders_have_no_level_and_no_explanation():
    risk = ConversationRisk()
    assert risk.level("nobody") is Level.NONE
    assert risk.level() is Level.NONE
    with pytest.raises(ScreeningError):
        risk.explain("nobody")


def test_level_labels():
    assert Level.HIGH.label == "high"
    assert Severity.MEDIUM.label == "medium"


def test_the_package_never_imports_django():
    names = [
        m.name
        for m in pkgutil.walk_packages(
            safeguarding.screening.__path__, "safeguarding.screening."
        )
    ]
    code = "import sys; sys.modules['django'] = None\n" + "".join(
        f"import {name}\n" for name in names
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603


def _feed_scored(messages, score):
    risk = ConversationRisk()
    for sender, text in messages:
        risk.add(sender, scan(text), model_score=score)
    return risk


def test_a_sender_who_reads_like_a_child_is_not_raised_to_high():
    assert _feed_scored(GROOMING * 3, -2.0).level("adult") is Level.MEDIUM


def test_a_grooming_lean_lowers_what_the_word_lists_must_show():
    messages = [("a", "hi"), ("a", "how r u"), ("a", "hey sexy"), ("a", "lol")]
    messages += [("a", "what are u doing")]
    risk = _feed_scored(messages, 2.0)
    assert risk.level("a") is Level.HIGH
    # Five messages at 2.0 after two imagined ordinary ones at -1.0.
    assert risk.events[-1].lean == pytest.approx(8 / 7, abs=0.01)
    assert [r.indicator for r in risk.events[-1].reasons] == ["grooming.flattery"]
    assert _feed(messages)[0].level("a") is Level.LOW
    assert ConversationRisk().level() is Level.NONE


def test_without_a_grooming_finding_no_lean_raises_to_high():
    assert _feed_scored([("a", "hi")] * 30, 3.0).level("a") is Level.NONE
    assert (
        _feed_scored([("a", "call me on 07700 900123")] * 30, 3.0).level("a")
        is Level.LOW
    )


def test_a_lean_needs_a_few_messages():
    messages = [("a", "hey sexy"), ("a", "send me a pic"), ("a", "our secret")]
    assert _feed_scored(messages, 3.0).level("a") is Level.MEDIUM


def test_one_odd_message_does_not_make_a_lean():
    risk = ConversationRisk()
    for _ in range(20):
        risk.add("a", scan("see you at practice"), model_score=-1.0)
    risk.add("a", scan("you are so pretty"), model_score=3.0)
    assert risk.level("a") is Level.LOW


def test_the_lean_forgets_slowly_so_a_sender_can_change():
    risk = ConversationRisk(Thresholds(lean_decay=0.9))
    for _ in range(100):
        risk.add("a", (), model_score=-3.0)
    for _ in range(40):
        risk.add("a", scan("you are so pretty"), model_score=1.0)
    assert risk.level("a") is Level.HIGH


def _model_finding(indicator: str, margin: float) -> Finding:
    return Finding(
        indicator,
        Severity.HIGH,
        0,
        4,
        "line",
        "why",
        "what next",
        "model",
        0.9,
        ("line",),
        margin,
    )


@pytest.mark.parametrize(
    ("margin", "level"),
    [
        (2.0, Level.HIGH),  # clearly past its operating point: evidence
        (1.0, Level.HIGH),
        (0.5, Level.NONE),  # shown to the Lead, but not counted
        (None, Level.HIGH),  # no margin given: counted like a word list's
    ],
)
def test_a_line_model_finding_is_evidence_for_a_lean_when_clearly_past(margin, level):
    risk = ConversationRisk()
    for _ in range(5):
        risk.add("a", (), model_score=2.0)
    risk.add("a", (_model_finding("grooming.secrecy", margin),), model_score=2.0)
    assert risk.level("a") is level
    if level is Level.HIGH:
        (reason,) = risk.events[-1].reasons
        assert (reason.source, reason.points) == ("model", 0.0)


def test_line_model_findings_add_no_points_unless_told():
    found = (_model_finding("grooming.sexual", 3.0),)
    risk = ConversationRisk()
    assert risk.add("a", found) is None  # evidence alone is no level
    weighed = ConversationRisk(Thresholds(model_points=1.0))
    event = weighed.add("a", found)
    assert event is not None and event.score == 2.5


def test_evidence_without_points_takes_no_turn_of_the_repeat_cap():
    risk = ConversationRisk()
    for _ in range(3):
        risk.add("a", (_model_finding("grooming.sexual", 3.0),))
    for _ in range(3):
        risk.add("a", scan("what are you wearing"))
    assert score_of(risk.explain("a")) == 7.5
