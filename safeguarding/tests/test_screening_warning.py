"""When a rise to high warrants an early warning (table-driven, no database)."""

from __future__ import annotations

import pytest

from safeguarding.screening import assess
from safeguarding.screening.conversation import Message, conversation_level
from safeguarding.screening.risk import Level, RiskEvent, Thresholds
from safeguarding.screening.warning import sender_warning, shared_warning

# Our own made-up lines: four with findings, then ordinary ones.
ESCALATING = [
    "you are so mature for your age, not like the others",
    "how old are you now? are your parents home after school?",
    "add me on snapchat, it is easier to chat there",
    "you are so special to me, nobody understands you like i do",
    "delete this chat after ok, it is our secret",
]
ORDINARY = "See you at youth club on Thursday at 7."


def read(texts: list[str]):
    return list(assess(("sender", t) for t in texts))


def test_a_rise_on_an_ordinary_message_is_warned_of_with_the_earlier_findings():
    assessed = read([*ESCALATING[:4], ORDINARY])
    assert not assessed[-1].findings
    event = sender_warning(assessed)
    assert event is not None and event.level is Level.HIGH
    assert {c.message_index for c in event.reasons} <= {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("texts", "warned"),
    [
        ([], ()),  # nothing read
        ([ORDINARY] * 6, ()),  # no rise
        ([*ESCALATING[:4], ORDINARY, ORDINARY], ()),  # rose before, not now
        ([*ESCALATING[:4], ORDINARY], (2,)),  # already warned within them
    ],
)
def test_no_warning_without_a_new_rise_on_the_last_message(texts, warned):
    assert sender_warning(read(texts), warned) is None


def test_a_warning_on_the_last_message_itself_does_not_count_as_earlier():
    assert sender_warning(read([*ESCALATING[:4], ORDINARY]), (4,)) is not None


def test_a_rise_with_no_finding_to_show_is_not_warned_of():
    assessed = read([*ESCALATING[:4], ORDINARY])
    event = assessed[-1].event
    assert event is not None
    bare = RiskEvent(
        event.message_index, event.sender, event.previous, event.level, event.score, ()
    )
    last = assessed[-1]
    assessed[-1] = type(last)(last.index, last.sender, (), None, bare)
    assert sender_warning(assessed) is None


def shared(n_before: int = 0):
    texts = [("c", ORDINARY)] * n_before + [
        ("ann" if i % 2 == 0 else "bob", t) for i, t in enumerate(ESCALATING)
    ]
    found = list(assess(texts))
    level = conversation_level(
        [Message(a.sender, a.findings, a.model_score) for a in found]
    )
    return level, len(texts)


def test_a_shared_rise_is_warned_of_once_within_the_pooled_window():
    level, read_ = shared()
    assert level.shared_high_at == read_ - 1
    assert shared_warning(level, read_)
    assert not shared_warning(level, read_, (0,))
    assert not shared_warning(level, read_ + 1)  # rose before the last message


def test_a_shared_warning_outside_the_pooled_window_is_a_new_rise():
    level, read_ = shared()
    small = Thresholds(window=3)
    assert shared_warning(level, read_, (0,), small)
    assert not shared_warning(level, read_, (read_ - 2,), small)
