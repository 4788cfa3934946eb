"""Table-driven tests for the scanner, with our own synthetic messages only."""

from __future__ import annotations

import pytest

from safeguarding.screening import (
    INDICATORS,
    Finding,
    ScreeningError,
    Severity,
    get_indicator,
    scan,
    scan_many,
)
from safeguarding.screening.pii import Context, check_iban, spelled_digits
from safeguarding.screening.rules import Rule
from safeguarding.screening.scanner import Scanner

# (message, indicator that must fire, evidence it must show)
FIRES = [
    ("you are so beautiful", "grooming.flattery", "you are so beautiful"),
    ("ur rly mature for ur age", "grooming.flattery", "mature for ur age"),
    ("hey sexy how was school", "grooming.flattery", "hey sexy"),
    ("u look so pretty in that", "grooming.flattery", "u look so pretty"),
    ("you're my princess", "grooming.flattery", "you're my princess"),
    ("i miss you so much", "grooming.flattery", "i miss you so much"),
    ("don't tell your mum we talk", "grooming.secrecy", "don't tell your mum"),
    ("this is our little secret ok", "grooming.secrecy", "our little secret"),
    ("keep it between us", "grooming.secrecy", "keep it between us"),
    ("delete our chat after", "grooming.secrecy", "delete our chat after"),
    ("no one has to know", "grooming.secrecy", "no one has to know"),
    ("what if ur dad finds out", "grooming.secrecy", "if ur dad finds out"),
    ("i could go to jail for this", "grooming.secrecy", "i could go to jail"),
    ("u won't tell will u", "grooming.secrecy", "u won't tell"),
    ("between you and me, ok?", "grooming.secrecy", "between you and me"),
    ("r u home alone tonight", "grooming.isolation", "r u home alone"),
    ("is anyone else home", "grooming.isolation", "is anyone else home"),
    ("just you and me", "grooming.isolation", "just you and me"),
    (
        "nobody understands you like i do",
        "grooming.isolation",
        "nobody understands you",
    ),
    ("your parents don't understand you", "grooming.isolation", "don't understand you"),
    ("can we talk in private", "grooming.isolation", "talk in private"),
    ("are you in your room", "grooming.isolation", "are you in your room"),
    ("is your door locked", "grooming.isolation", "is your door locked"),
    ("add me on snapchat", "grooming.platform_move", "add me on snapchat"),
    ("whats ur kik", "grooming.platform_move", "whats ur kik"),
    ("lets move this to dms", "grooming.platform_move", "move this to dms"),
    ("dm me", "grooming.platform_move", "dm me"),
    ("make a secret account", "grooming.platform_move", "secret account"),
    ("do you have whatsapp", "grooming.platform_move", "do you have whatsapp"),
    ("how old are you", "grooming.probing", "how old are you"),
    ("asl?", "grooming.probing", "asl"),
    ("what year are you in", "grooming.probing", "what year are you"),
    ("do u have a bf", "grooming.probing", "do u have a bf"),
    ("have you ever kissed anyone", "grooming.probing", "have you ever kissed"),
    ("when does ur mum get home", "grooming.probing", "when does ur mum get home"),
    ("is your dad at work", "grooming.probing", "is your dad at work"),
    ("does your mom check your phone", "grooming.probing", "does your mom check"),
    ("who do you live with", "grooming.probing", "who do you live with"),
    ("where r ur parents", "grooming.probing", "where r ur parents"),
    ("what's your age", "grooming.probing", "what's your age"),
    ("when r u alone", "grooming.probing", "when r u alone"),
    ("send me a pic", "grooming.image_request", "send me a pic"),
    ("got any more pics", "grooming.image_request", "got any more pics"),
    ("a photo of yourself", "grooming.image_request", "photo of yourself"),
    ("pics of ur body", "grooming.image_request", "pics of ur body"),
    ("turn on your cam", "grooming.image_request", "turn on your cam"),
    ("can u send me a selfie", "grooming.image_request", "can u send me a selfie"),
    ("show me your bra", "grooming.image_request", "show me your bra"),
    ("go on cam", "grooming.image_request", "on cam"),
    ("i'll buy you a new phone", "grooming.gifts", "i'll buy you a new phone"),
    ("i can get u anything", "grooming.gifts", "i can get u anything"),
    ("i'll top up your phone", "grooming.gifts", "top up your phone"),
    ("want some robux", "grooming.gifts", "robux"),
    ("i'll pay for ur ticket", "grooming.gifts", "i'll pay for ur"),
    ("do you need money", "grooming.gifts", "need money"),
    ("i want to meet you", "grooming.meeting", "i want to meet you"),
    ("meet me after school", "grooming.meeting", "meet me after"),
    ("we should meet", "grooming.meeting", "we should meet"),
    ("i can pick u up", "grooming.meeting", "pick u up"),
    ("where do you live", "grooming.meeting", "where do you live"),
    ("what town do u live in", "grooming.meeting", "what town do u live"),
    ("i'll come over to your house", "grooming.meeting", "come over to your house"),
    ("can you sneak out", "grooming.meeting", "sneak out"),
    ("i'll book a hotel", "grooming.meeting", "book a hotel"),
    ("lets meet up some day", "grooming.meeting", "meet up some day"),
    ("i'd come see you", "grooming.meeting", "come see you"),
    ("you come over to mine", "grooming.meeting", "you come over to mine"),
    ("i'd drive down to see you", "grooming.meeting", "drive down to see you"),
    ("what's your address", "grooming.meeting", "your address"),
    ("what are you wearing", "grooming.sexual", "what are you wearing"),
    ("are you a virgin", "grooming.sexual", "are you a virgin"),
    ("i want to touch you", "grooming.sexual", "i want to touch you"),
    ("do you touch yourself", "grooming.sexual", "touch yourself"),
    ("have you ever done it", "grooming.sexual", "have you ever done it"),
    ("take your clothes off", "grooming.sexual", "take your clothes off"),
    ("are you naked", "grooming.sexual", "naked"),
    ("send it or i'll tell everyone", "grooming.coercion", "or i'll tell"),
    ("i'll show your pics to everyone", "grooming.coercion", "i'll show your pics"),
    ("you owe me", "grooming.coercion", "you owe me"),
    ("do what i say", "grooming.coercion", "do what i say"),
    ("if you really loved me", "grooming.coercion", "if you really loved me"),
    ("no one will believe you", "grooming.coercion", "no one will believe you"),
    ("you have to do it", "grooming.coercion", "you have to do it"),
    ("nobody likes you", "peer.bullying", "nobody likes you"),
    ("ur such a loser", "peer.bullying", "ur such a loser"),
    ("everyone hates you", "peer.bullying", "everyone hates you"),
    ("kys", "peer.bullying", "kys"),
    ("just go die", "peer.bullying", "go die"),
    ("i'm gonna punch you", "peer.threat", "i'm gonna punch you"),
    ("watch your back", "peer.threat", "watch your back"),
    ("you're dead tomorrow", "peer.threat", "you're dead"),
    ("i know where you live", "peer.threat", "i know where you live"),
    ("wait till i see you", "peer.threat", "wait till i see you"),
    ("send her nudes to the group", "peer.image_sharing", "send her nudes"),
    ("screenshot it and post it", "peer.image_sharing", "screenshot it and post"),
    ("his nudes are going round", "peer.image_sharing", "his nudes"),
    ("leak her", "peer.image_sharing", "leak her"),
    ("post it to everyone", "peer.image_sharing", "post it to everyone"),
    ("i want to kill myself", "wellbeing.self_harm", "i want to kill myself"),
    ("i just want to die", "wellbeing.self_harm", "i just want to die"),
    ("i've been cutting myself", "wellbeing.self_harm", "cutting myself"),
    ("feeling suicidal", "wellbeing.self_harm", "suicidal"),
    ("i don't want to be here anymore", "wellbeing.self_harm", "don't want to be here"),
    ("no point in living", "wellbeing.self_harm", "no point in living"),
    (
        "everyone's better off without me",
        "wellbeing.self_harm",
        "better off without me",
    ),
    ("i took all my pills", "wellbeing.self_harm", "took all my pills"),
    ("call me on 07700 900123", "pii.phone", "07700 900123"),
    ("ring +44 7700 900123 pls", "pii.phone", "+44 7700 900123"),
    ("my number is 0044 20 7946 0018", "pii.phone", "0044 20 7946 0018"),
    ("(020) 7946 0018", "pii.phone", "(020) 7946 0018"),
    ("07700.900.123", "pii.phone", "07700.900.123"),
    ("text 07700900123", "pii.phone", "07700900123"),
    ("office 212-555-0147 x204", "pii.phone", "212-555-0147 x204"),
    ("my mobile 555 0147 123", "pii.phone", "555 0147 123"),
    ("call 794600183 anytime", "pii.phone", "794600183"),
    ("Leeds 62704 07700 900123", "pii.phone", "07700 900123"),
    ("phone 030 1234567", "pii.phone", "030 1234567"),
    (
        "oh seven seven double oh nine oh oh one two three",
        "pii.phone",
        "oh seven seven double oh nine oh oh one two three",
    ),
    ("mail jo.bloggs@example.org", "pii.email", "jo.bloggs@example.org"),
    ("jo.bloggs at example dot com", "pii.email", "jo.bloggs at example dot com"),
    ("MAIL JO AT EXAMPLE DOT COM", "pii.email", "JO AT EXAMPLE DOT COM"),
    ("I live at 14 Elm Grove", "pii.address", "14 Elm Grove"),
    ("it's 221b baker street", "pii.address", "221b baker street"),
    ("Flat 3, upstairs", "pii.address", "Flat 3"),
    ("i live at number 12", "pii.address", "i live at number 12"),
    ("postcode SW1A 1AA", "pii.postcode", "SW1A 1AA"),
    ("we're in M1 2AB", "pii.postcode", "M1 2AB"),
    ("follow my insta @sunny_days.22", "pii.handle", "@sunny_days.22"),
    ("my snap is jane_doe99", "pii.handle", "my snap is jane_doe99"),
    ("add me on discord: skyline", "pii.handle", "add me on discord: skyline"),
    ("gamer#1234 on there", "pii.handle", "gamer#1234"),
    (
        "join chat.whatsapp.com/AbCdEf123",
        "pii.private_link",
        "chat.whatsapp.com/AbCdEf123",
    ),
    ("https://t.me/secretgroup", "pii.private_link", "t.me/secretgroup"),
    ("discord.gg/xyz12", "pii.private_link", "discord.gg/xyz12"),
    ("I go to Oakfield Primary School", "pii.school", "Oakfield Primary School"),
    ("i go to oakfield high school", "pii.school", "i go to oakfield high"),
    ("sort code 12-34-56", "pii.bank", "sort code 12-34-56"),
    ("account number 12345678", "pii.bank", "account number 12345678"),
    ("GB82 WEST 1234 5698 7654 32", "pii.bank", "GB82 WEST 1234 5698 7654 32"),
    ("card 4111 1111 1111 1111", "pii.bank", "4111 1111 1111 1111"),
    ("visa 4111111111111111", "pii.bank", "4111111111111111"),
    ("se\u200bnd the rota", "evasion.hidden_characters", "se\u200bnd"),
]

# Near misses: ordinary messages that must raise nothing at all.
SILENT = [
    "send me the rota",
    "my mum says hi",
    "see you at 10:30",
    "tickets are £12.50 each",
    "the party is on 12/05/2024",
    "meeting moved to 2024-06-01",
    "we raised 1,250 pounds",
    "page 42 of the hymn book",
    "the sunset is so beautiful",
    "don't tell me the ending",
    "delete the old photos from the drive",
    "we will meet at the church hall",
    "see you tomorrow",
    "i'm in bed with flu",
    "Sunday School starts at 10",
    "scores were 3 - 2",
    "years 2019 2020 2021",
    "server 192.168.0.1 is down",
    "my snap is down",
    "thanks @alex for the lift",
    "call me when you're there",
    "room 101",
    "it's so hard to choose",
    "can you send the minutes",
    "i hurt my ankle at football",
    "order 1234567890123 arrived",
    "4111 1111 1111 1112",
    "meet at 10 dot com",
    "lol m8 2nd time today",
    "price 123.45",
    "it was 2024-05-12 10 people came",
    "card number 1234 5678",
    "town 62704 12",
    "dial +999 1234 5678",
    "I went to High School in the 90s",
]


@pytest.mark.parametrize(("message", "indicator", "evidence"), FIRES)
def test_it_finds_the_indicator_with_its_evidence(message, indicator, evidence):
    found = [f for f in scan(message) if f.indicator == indicator]
    assert found, f"{indicator} did not fire"
    assert evidence in found[0].evidence
    assert message[found[0].start : found[0].end] == found[0].evidence


@pytest.mark.parametrize("message", SILENT)
def test_it_stays_silent_on_near_misses(message):
    assert scan(message) == ()


def test_every_indicator_has_a_positive_example():
    assert {indicator for _, indicator, _ in FIRES} == set(INDICATORS) - {
        "pii.bank"
    } | {"pii.bank"}


def test_findings_carry_the_registry_words():
    (finding,) = scan("keep it between us")
    indicator = get_indicator("grooming.secrecy")
    assert finding.severity is Severity.HIGH
    assert finding.explanation == indicator.explanation
    assert finding.next_step == indicator.next_step
    assert indicator.family == "grooming"
    assert indicator.source


def test_the_registry_refuses_unknown_ids():
    with pytest.raises(ScreeningError):
        get_indicator("grooming.unknown")


def test_scan_many_keeps_order_and_maps_offsets_back():
    texts = ["hello", "naïve café, call 07700 900123", "", "line one\nsend me a pic"]
    results = scan_many(texts)
    assert results[0] == () and results[2] == ()
    assert [f.evidence for f in results[1]] == ["07700 900123"]
    assert [f.indicator for f in results[3]] == ["grooming.image_request"]
    assert results[3][0].start == 9


def test_scan_many_of_nothing_is_nothing():
    assert scan_many([]) == []


def test_it_refuses_what_is_not_text():
    with pytest.raises(ScreeningError):
        scan_many(["fine", b"bytes"])  # type: ignore[list-item]


def test_overlapping_matches_of_one_indicator_merge():
    findings = scan("I go to Oakfield Primary School")
    schools = [f for f in findings if f.indicator == "pii.school"]
    assert len(schools) == 1
    assert schools[0].evidence == "I go to Oakfield Primary School"


def test_a_card_number_is_not_also_a_phone_number():
    indicators = [f.indicator for f in scan("card 3782 822463 10005")]
    assert "pii.phone" not in indicators


def test_a_scanner_can_run_its_own_rules():
    scanner = Scanner([Rule("grooming.gifts", r"\bvoucher\b")])
    (finding,) = scanner.scan("a voucher for you")
    assert finding == Finding(
        "grooming.gifts",
        Severity.MEDIUM,
        2,
        9,
        "voucher",
        INDICATORS["grooming.gifts"].explanation,
        INDICATORS["grooming.gifts"].next_step,
    )


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("oh seven double seven", "0777"),
        ("triple nine", "999"),
        ("one-two, three", "123"),
    ],
)
def test_spelled_digits(words, digits):
    assert spelled_digits(words) == digits


def test_an_iban_longer_than_any_country_uses_is_refused():
    assert not check_iban("GB82 WEST 1234 5698 7654 3210 1234 5678 123", Context(""), 0)
