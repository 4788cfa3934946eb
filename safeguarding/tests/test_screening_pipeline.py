"""One pipeline for every caller: scanner, model and conversation risk."""

from __future__ import annotations

import numpy as np
import pytest

from safeguarding.screening import (
    ConversationRisk,
    Level,
    ScreeningError,
    Thresholds,
    assess,
    scan,
    scan_many,
)
from safeguarding.screening.model import RiskModel, default_model, hashed
from safeguarding.screening.pipeline import first_high
from safeguarding.screening.risk import level_of

# Our own synthetic conversation: an adult steering a child, then a parent.
CONVERSATION = [
    ("adult", "hey there, how was school today?"),
    ("child", "ok i guess"),
    ("adult", "you are so pretty, how old are you?"),
    ("adult", "is your mum home tonight?"),
    ("child", "no shes at work"),
    ("adult", "don't tell your mum we talk, add me on snap"),
    ("adult", "send me a pic"),
    ("parent", "my mum says hi, see you at 10:30"),
]


def _words_model(weights: dict[str, float], bits: int = 10) -> RiskModel:
    dense = np.zeros(1 << bits, dtype=np.float32)
    for word, weight in weights.items():
        dense[hashed([word], bits)[1][0]] = weight
    return RiskModel(bits, 0.0, dense)


ADULT_WORDS = _words_model({"you": 3.0, "your": 3.0, "me": 3.0, "mum": -1.0})


def test_assess_gives_the_scanner_findings_and_model_scores_in_order():
    out = list(assess(CONVERSATION, model=ADULT_WORDS))
    assert [a.index for a in out] == list(range(len(CONVERSATION)))
    assert [a.sender for a in out] == [s for s, _ in CONVERSATION]
    assert [a.findings for a in out] == [scan(t) for _, t in CONVERSATION]
    assert [a.model_score for a in out] == pytest.approx(
        [ADULT_WORDS.score(t) for _, t in CONVERSATION]
    )


def test_assess_matches_feeding_conversation_risk_by_hand():
    risk = ConversationRisk()
    by_hand = [
        risk.add(s, scan(t), model_score=ADULT_WORDS.score(t)) for s, t in CONVERSATION
    ]
    piped = [a.event for a in assess(CONVERSATION, model=ADULT_WORDS)]
    assert [e and (e.message_index, e.level) for e in piped] == [
        e and (e.message_index, e.level) for e in by_hand
    ]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4096])
def test_batch_size_never_changes_the_answer(batch_size):
    baseline = list(assess(CONVERSATION, model=ADULT_WORDS))
    again = list(assess(CONVERSATION, model=ADULT_WORDS, batch_size=batch_size))
    assert again == baseline


def test_the_adult_rises_to_high_and_the_others_do_not():
    risk = ConversationRisk()
    out = list(assess(CONVERSATION, model=ADULT_WORDS, risk=risk))
    high = [a for a in out if a.event and a.event.early_warning]
    assert [a.sender for a in high] == ["adult"]
    assert risk.level("child") is Level.NONE
    assert risk.level("parent") is Level.NONE
    assert first_high(CONVERSATION, model=ADULT_WORDS) == high[0].index


def test_without_a_model_the_word_lists_decide_alone():
    out = list(assess(CONVERSATION, model=None))
    assert all(a.model_score is None for a in out)
    assert first_high(CONVERSATION[:2], model=None) is None


def test_the_shipped_model_is_used_by_default():
    out = list(assess(CONVERSATION[:1]))
    assert out[0].model_score == pytest.approx(
        default_model().score(CONVERSATION[0][1])
    )


def test_a_risk_carried_across_calls_keeps_counting():
    risk = ConversationRisk(Thresholds())
    list(assess(CONVERSATION[:4], model=ADULT_WORDS, risk=risk))
    rest = list(assess(CONVERSATION[4:], model=ADULT_WORDS, risk=risk))
    assert rest[0].index == 0  # indexes are per call
    assert risk.level("adult") is Level.HIGH


def test_a_bad_batch_size_is_refused():
    with pytest.raises(ScreeningError):
        list(assess(CONVERSATION, batch_size=0))


def test_messages_with_line_breaks_keep_their_own_offsets():
    texts = ["hello\r\nsend me a pic", "line one\nline two", "call 07700 900123"]
    found = scan_many(texts)
    assert found[0][0].evidence == "send me a pic"
    assert found[1] == ()
    assert found[2][0].evidence == "07700 900123"
    assert [scan(t) for t in texts] == found


def test_no_findings_means_level_none():
    assert level_of((), 0.0, Thresholds()) is Level.NONE


# Our own synthetic group chat: near misses that look like numbers, requests
# or family talk, said again and again by the same people.
ORDINARY_GROUP = [
    ("leader", "send me the rota for sunday please"),
    ("parent", "my mum says hi, see you at 10:30"),
    ("leader", "tickets are £12.50, pay by friday"),
    ("parent", "can you send me a pic of the timetable?"),
    ("leader", "youth club is at 7 tonight, doors open 6:45"),
    ("parent", "thanks! is the minibus leaving at 9?"),
]


def test_the_shipped_model_keeps_an_ordinary_group_chat_below_high():
    out = list(assess(ORDINARY_GROUP * 20))
    assert not any(a.event and a.event.early_warning for a in out)


def test_the_shipped_model_raises_a_steering_adult_to_high():
    out = list(assess(CONVERSATION * 3))
    highs = [a for a in out if a.event and a.event.early_warning]
    assert highs and highs[0].sender == "adult"


def test_half_a_utf16_pair_does_not_stop_the_scan():
    # JSON can carry "\ud800" alone; the rest of the message is still read.
    found = list(assess([("ann", "\ud800 send me a pic"), ("bob", "x\udfff")]))
    assert [f.indicator for f in found[0].findings] == ["grooming.image_request"]
    assert found[1].findings == ()
