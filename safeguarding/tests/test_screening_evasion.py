# ruff: noqa: RUF001, RUF003 (look-alike letters are what these tests are about)
"""Disguised text is read as meant; normal text in any alphabet is left alone.

Our own synthetic messages only. Each disguised message must raise the
indicator its plain form raises, with the original (disguised) words as the
evidence.
"""

from __future__ import annotations

import pytest

from safeguarding.screening import scan
from safeguarding.screening.evasion import fold, hidden_spans
from safeguarding.screening.rules import Rule, tolerant
from safeguarding.screening.scanner import Scanner

ZWSP, ZWJ, RLO = "\u200b", "\u200d", "\u202e"

# (disguised message, indicator, evidence it must show)
DISGUISED = [
    ("ur s0 b3autiful", "grooming.flattery", "ur s0 b3autiful"),
    (
        "you are sooo ｂｅａｕｔｉｆｕｌ",
        "grooming.flattery",
        "you are sooo ｂｅａｕｔｉｆｕｌ",
    ),
    ("d0nt t3ll ur mum", "grooming.secrecy", "d0nt t3ll ur mum"),
    ("don’t tell your mum", "grooming.secrecy", "don’t tell your mum"),
    (f"our se{ZWSP}cret ok", "grooming.secrecy", f"our se{ZWSP}cret"),
    ("this is our se cret", "grooming.secrecy", "our se cret"),
    ("r u h0me al0ne", "grooming.isolation", "r u h0me al0ne"),
    ("are yоu аlоnе", "grooming.isolation", "are yоu аlоnе"),  # Cyrillic о, а, е
    ("add me on s n a p", "grooming.platform_move", "add me on s n a p"),
    (
        "add me on s.n.a.p.c.h.a.t",
        "grooming.platform_move",
        "add me on s.n.a.p.c.h.a.t",
    ),
    ("add me on sn ap", "grooming.platform_move", "add me on sn ap"),
    ("add me on sn@p", "grooming.platform_move", "add me on sn@p"),
    ("add me on sn-ap", "grooming.platform_move", "add me on sn-ap"),
    ("h0w 0ld r u", "grooming.probing", "h0w 0ld r u"),
    ("how old are yοu", "grooming.probing", "how old are yοu"),  # Greek ο
    ("s3nd m3 a p1c", "grooming.image_request", "s3nd m3 a p1c"),
    (
        f"se{ZWJ}nd me a p{ZWSP}ic",
        "grooming.image_request",
        f"se{ZWJ}nd me a p{ZWSP}ic",
    ),
    ("ѕеnd mе а рiс", "grooming.image_request", "ѕеnd mе а рiс"),  # Cyrillic
    ("𝐬𝐞𝐧𝐝 𝐦𝐞 𝐚 𝐩𝐢𝐜", "grooming.image_request", "𝐬𝐞𝐧𝐝 𝐦𝐞 𝐚 𝐩𝐢𝐜"),
    ("seeeeend me a piiiic", "grooming.image_request", "seeeeend me a piiiic"),
    ("s e n d  m e  a  p i c", "grooming.image_request", "s e n d  m e  a  p i c"),
    ("i'll buy u r0bux", "grooming.gifts", "r0bux"),
    ("meeeet me after school", "grooming.meeting", "meeeet me after"),
    ("wh3re do u l1ve", "grooming.meeting", "wh3re do u l1ve"),
    ("what are you w3aring", "grooming.sexual", "what are you w3aring"),
    ("send n u d e s", "grooming.sexual", "n u d e s"),
    ("are you n@ked", "grooming.sexual", "n@ked"),
    ("y0u 0we me", "grooming.coercion", "y0u 0we me"),
    ("n0b0dy l1kes y0u", "peer.bullying", "n0b0dy l1kes y0u"),
    ("ki11 urself", "peer.bullying", "ki11 urself"),
    ("i kn0w wh3re u l1ve", "peer.threat", "i kn0w wh3re u l1ve"),
    ("send h3r nud3s", "peer.image_sharing", "send h3r nud3s"),
    ("i w@nt to d1e", "wellbeing.self_harm", "i w@nt to d1e"),
    ("call O77OO 9OO 123", "pii.phone", "O77OO 9OO 123"),
    ("ring +44 O 7700 9OO123", "pii.phone", "+44 O 7700 9OO123"),
    ("mail jо.blоggs@еxample.оrg", "pii.email", "jо.blоggs@еxample.оrg"),
    (
        f"mail jo.bl{ZWSP}oggs@exam{ZWSP}ple.org",
        "pii.email",
        f"jo.bl{ZWSP}oggs@exam{ZWSP}ple.org",
    ),
    ("call 07 seven 00 nine 00 123", "pii.phone", "07 seven 00 nine 00 123"),
    ("text 0 7 7 0 0 9 0 0 1 2 3", "pii.phone", "0 7 7 0 0 9 0 0 1 2 3"),
    ("text 0.7.7.0.0.9.0.0.1.2.3", "pii.phone", "0.7.7.0.0.9.0.0.1.2.3"),
    ("ring ０７７００ ９００１２３", "pii.phone", "０７７００ ９００１２３"),
    ("mail jo.bl0ggs＠example.org", "pii.email", "jo.bl0ggs＠example.org"),
    ("I live at 14 Еlm Grove", "pii.address", "14 Еlm Grove"),  # Cyrillic Е
    ("postcode ＳＷ１Ａ １ＡＡ", "pii.postcode", "ＳＷ１Ａ １ＡＡ"),
    ("my snap is jane_doe99", "pii.handle", "my snap is jane_doe99"),
    ("my s n a p is sunny_day", "pii.handle", "my s n a p is sunny_day"),
    (
        "join chat.whatsapp.com／AbCdEf123",
        "pii.private_link",
        "chat.whatsapp.com／AbCdEf123",
    ),
    ("I go to Оakfield Primary School", "pii.school", "Оakfield Primary School"),
    ("sort code １２-３４-５６", "pii.bank", "sort code １２-３４-５６"),
    (f"se{ZWSP}nd the rota", "evasion.hidden_characters", f"se{ZWSP}nd"),
    (f"all fine {RLO}txet", "evasion.hidden_characters", f"{RLO}txet"),
]

# Ordinary messages, in English and other alphabets, that must stay quiet.
QUIET = [
    "Как дела? Всё хорошо, увидимся в субботу",
    "Γεια σου, τι κάνεις; Θα τα πούμε το Σάββατο",
    "¿Así que nos vemos el sábado? Sí, a las 10",
    "Ça va? On se voit à l'église à 10h30",
    "Grüße aus München, bis später",
    "سلام، فردا می‌بینمت",  # Persian, with a zero-width non-joiner
    "नमस्ते, कल मिलते हैं",
    "see you at 10:30, room 101",
    "tickets are £12.50, doors at 7pm",
    "the 2nd and 3rd of May, 4x4 and mp3s",
    "lol m8 2nd time today",
    "hahaha sooo funny, yesss",
    "www.example.org has the rota",
    "we need 4 teams of 5",
    "our family 👨‍👩‍👧‍👦 says hi ❤️",
    "thanks @\u2068Sam\u2069 for the lift",
    "I'm at St. John's, 1 o'clock",
    "he met me at the station",
    "Sooo he met me at the station",
    "the score was 1 2 3 4 in the end",
    "a-b-c is easy",
    "cost $5, or £4",
    "email me at the office",
    "u r a star",
    "sn ap judgement",
]


@pytest.mark.parametrize(("message", "indicator", "evidence"), DISGUISED)
def test_it_reads_disguised_text_as_meant(message, indicator, evidence):
    found = [f for f in scan(message) if f.indicator == indicator]
    assert found, f"{indicator} did not fire"
    assert evidence in found[0].evidence
    assert message[found[0].start : found[0].end] == found[0].evidence


@pytest.mark.parametrize("message", QUIET)
def test_it_leaves_ordinary_text_alone(message):
    assert scan(message) == ()


def test_every_indicator_has_a_disguised_example():
    from safeguarding.screening import INDICATORS

    assert {indicator for _, indicator, _ in DISGUISED} == set(INDICATORS)


def test_folding_maps_every_character_back_to_the_original():
    message = f"ｓ3n{ZWSP}d  m e  a  pic, call O77OO 9OO 123 seeeend"
    folded = fold(message)
    assert folded is not None
    assert folded.text == "send me a pic, call 07700 900 123 send"
    start = folded.text.index("07700")
    begin, end = folded.original(start, start + 5)
    assert message[begin:end] == "O77OO"
    begin, end = folded.original(0, len(folded.text))
    assert (begin, end) == (0, len(message))


def test_plain_text_needs_no_folding():
    assert fold("see you at 10:30") is None


def test_a_russian_sentence_keeps_its_letters():
    assert fold("Как дела") is None


def test_look_alikes_inside_a_latin_word_are_read_as_latin():
    folded = fold("аdd me")  # Cyrillic а
    assert folded is not None and folded.text == "add me"


def test_hidden_characters_inside_words_are_found_and_emoji_joiners_are_not():
    assert hidden_spans(f"se{ZWSP}nd") == [(0, 5)]
    assert hidden_spans("👨\u200d👩") == []
    assert hidden_spans("plain") == []


def test_the_folded_rules_accept_one_letter_for_two():
    rule = tolerant(Rule("grooming.meeting", r"\bmeet (?:me|you)\b|[a-z]{2}\d|kill"))
    assert rule.pattern == r"\bmee?t (?:me|you)\b|[a-z]{2}\d|k[il][il][il]?"


def test_a_scanner_without_evasion_reads_only_plain_text():
    plain = Scanner([Rule("grooming.gifts", r"\bvoucher\b")], evasion=False)
    assert plain.scan("v0ucher") == ()
    folding = Scanner([Rule("grooming.gifts", r"\bvoucher\b")])
    assert [f.evidence for f in folding.scan("v0ucher")] == ["v0ucher"]


def test_a_message_full_of_disguises_is_read_in_linear_time():
    # Correctness only: timings are for benchmarks/bench_screening.py.
    message = "s3nd m3 a p1c " * 2000 + f"our se{ZWSP}cret " * 2000
    findings = scan(message)
    assert {f.indicator for f in findings} >= {
        "grooming.image_request",
        "grooming.secrecy",
        "evasion.hidden_characters",
    }
