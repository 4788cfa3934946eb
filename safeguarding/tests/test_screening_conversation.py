"""Risk per conversation: a thread or group gets its own level."""

from __future__ import annotations

from safeguarding.screening import scan
from safeguarding.screening.conversation import (
    ConversationLevel,
    Message,
    conversation_level,
)
from safeguarding.screening.risk import Level, Thresholds

# Our own made-up lines; each shows one indicator to the word lists.
FLATTERY = "you are so mature for your age"
PROBING = "are your parents home after school?"
SECRECY = "delete this chat after ok, it is our secret"
PHOTO = "send me a pic of you, just for me"
MEETING = "we could meet at the park on saturday, just us"
SEXUAL = "have you ever had sex"
ORDINARY = "see you at choir on thursday"


def level_of(*messages: tuple[str, str]) -> ConversationLevel:
    return conversation_level([Message(s, scan(t)) for s, t in messages])


def test_a_quiet_conversation_has_no_level_and_says_so():
    result = level_of(("ann", ORDINARY), ("bob", ORDINARY))
    assert result.level is Level.NONE
    assert result.steps == ()
    assert result.reasons == ("Nothing in this conversation raised its level.",)
    assert result.high_at is None
    assert dict(result.senders) == {"ann": Level.NONE, "bob": Level.NONE}


def test_one_sender_at_high_makes_the_conversation_high():
    lines = [FLATTERY, PROBING, SECRECY, PHOTO, MEETING, SEXUAL]
    result = level_of(*[("ann", t) for t in lines], ("bob", ORDINARY))
    assert result.senders["ann"] is Level.HIGH
    assert result.senders["bob"] is Level.NONE
    assert result.level is Level.HIGH
    assert result.reasons[0] == "Highest single sender (ann): high."
    assert result.high_at is not None and result.high_at <= len(lines) - 1


def test_two_senders_below_high_can_make_the_conversation_high_together():
    result = level_of(
        ("ann", FLATTERY),
        ("bob", PROBING),
        ("ann", SECRECY),
        ("bob", PHOTO),
        ("ann", MEETING),
        ("bob", SEXUAL),
    )
    assert max(result.senders.values()) < Level.HIGH
    assert result.together is Level.HIGH
    assert result.level is Level.HIGH
    assert "between them they show the pattern" in result.reasons[-1]
    assert result.high_at == 4  # ann's meeting took them to high together


def test_the_findings_of_every_sender_come_in_order():
    result = level_of(("ann", FLATTERY), ("bob", ORDINARY), ("bob", SECRECY))
    where = [(s.message_index, s.sender) for s in result.steps]
    assert list(dict.fromkeys(where)) == [(0, "ann"), (2, "bob")]
    assert where == sorted(where)
    assert result.indicators[0] == "grooming.flattery"
    assert "grooming.secrecy" in result.indicators


def test_model_scores_count_as_they_do_for_a_sender():
    lines = [ORDINARY] * 6 + [SECRECY]
    without = conversation_level([Message("ann", scan(t)) for t in lines])
    leaning = conversation_level([Message("ann", scan(t), 3.0) for t in lines])
    assert without.level < Level.HIGH
    assert leaning.level is Level.HIGH


def test_the_pooled_voice_keeps_its_own_rise_and_who_shared_it():
    result = level_of(
        ("ann", FLATTERY),
        ("bob", PROBING),
        ("ann", SECRECY),
        ("bob", PHOTO),
        ("ann", MEETING),
    )
    assert result.pooled_high_at == result.shared_high_at == 4
    assert result.pooled_senders == ("ann", "bob")


def test_a_pooled_rise_after_a_senders_own_counts_as_its_own():
    # ann is high on her own first, with her findings spread wider than the
    # pooled voice's window; later bob and cat share a pattern between them.
    quiet = [("dan", ORDINARY)] * 2
    early = [(("ann", t), *quiet) for t in (SECRECY, PHOTO, MEETING, SEXUAL)]
    late = [("bob", SECRECY), ("cat", PHOTO), ("bob", MEETING), ("cat", SEXUAL)]
    messages = [m for group in early for m in group] + late
    result = conversation_level(
        [Message(s, scan(t)) for s, t in messages], Thresholds(window=4)
    )
    assert result.senders["ann"] is Level.HIGH
    assert result.high_at == 9  # ann's own rise, first
    assert result.shared_high_at == result.pooled_high_at == len(messages) - 1
    assert result.pooled_senders == ("bob", "cat")
    assert "bob, cat also reach high" in result.reasons[-1]


def test_only_findings_in_the_pooled_window_make_a_rise_shared():
    # bob's flattery is read but has left the pooled voice's window.
    messages = [("bob", FLATTERY), *[("dan", ORDINARY)] * 4]
    messages += [("ann", SECRECY), ("ann", PHOTO), ("ann", MEETING), ("cat", SEXUAL)]
    result = conversation_level(
        [Message(s, scan(t)) for s, t in messages], Thresholds(window=4)
    )
    assert "bob" in {step.sender for step in result.steps}
    assert result.pooled_high_at == len(messages) - 1
    assert result.pooled_senders == ("ann", "cat")


def test_personal_data_is_not_a_share_of_the_pattern():
    # ann has four messages, one short of what a lean needs; bob's number
    # makes five read as one voice.
    lines = [("ann", t) for t in (FLATTERY, PROBING, SECRECY, PHOTO)]
    lines.append(("bob", "call me on 07700 900123"))
    result = conversation_level([Message(s, scan(t), 3.0) for s, t in lines])
    assert "pii.phone" in result.indicators
    assert result.senders["ann"] < Level.HIGH
    assert result.pooled_high_at == 4
    assert result.pooled_senders == ("ann",)
    assert result.shared_high_at is None


def test_a_sender_already_high_does_not_share_a_pattern():
    lines = [("ann", t) for t in (SECRECY, PHOTO, MEETING, SEXUAL)]
    result = level_of(*lines, ("bob", FLATTERY))
    assert result.senders["ann"] is Level.HIGH
    assert result.pooled_high_at == 3
    assert result.pooled_senders == ()
    assert result.shared_high_at is None
