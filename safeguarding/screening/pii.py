"""Validators that turn pattern candidates into personal-detail findings.

The patterns in ``rules.py`` find anything that could be a phone number,
postcode or card; these checks keep only what really is one, so times
(10:30), prices (£12.50), dates and years do not raise alarms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property, lru_cache
from types import MappingProxyType

import phonenumbers

# Spoken digits, as people spell a number out to hide it (evasion reads
# them too).
DIGIT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "zero": "0",
        "oh": "0",
        "o": "0",
        "one": "1",
        "two": "2",
        "three": "3",
        "four": "4",
        "five": "5",
        "six": "6",
        "seven": "7",
        "eight": "8",
        "nine": "9",
    }
)
REPEAT_WORDS: Mapping[str, int] = MappingProxyType(
    {"double": 2, "triple": 3, "treble": 3}
)

# Shapes that are digits but not phone numbers: dates, times, IPs, US SSNs.
_NOT_PHONE = re.compile(
    r"^(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}"  # 12/05/2024, 2024-05-12
    r"|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"  # 192.168.0.1
    r"|\d{3}-\d{2}-\d{4}"  # US SSN
    r"|\d+[.,]\d{1,2}"  # 12.50
    r"|(?:(?:19|20)\d\d[ \-/]+)+(?:19|20)\d\d"  # 2019 2020 2021
    r"|\d{1,4}(?: \d{1,4}){0,2} ?- ?\d{1,4}(?: \d{1,4}){0,2}"  # 1 2 - 3 4 scores
    r"|\d{1,2} \d{1,2} (?:19|20)\d\d"  # 12 05 2024
    r")$"
)
_DATE_START = re.compile(
    r"(?:\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})\b"
)
_GROUPS_OK = re.compile(r"^\(?\d{1,4}\)?(?:[ .\-/]\(?\d{1,8}\)?)*$|^\d+$")
_OTHER_NUMBER = re.compile(
    r"\b(?:card|licen[cs]e|account|acct|order|ref|reference|id|passport|ssn|"
    r"social security|policy|invoice|routing|iban|zip|postal|serial|tracking)\b",
    re.IGNORECASE | re.ASCII,
)
_PHONE_CONTEXT = re.compile(
    r"\b(?:call|ring|phone|tel|mobile|mob|cell|text|whats ?app|number|no\.?|"
    r"fax|contact|reach|dial|sms)\b",
    re.IGNORECASE | re.ASCII,
)
_GROUPS = re.compile(r"\d+")
_PREFIXES = ("GB", "US")
# The two-letter postcode areas of the UK (Royal Mail), and the one-letter ones.
_POSTCODE_AREAS = frozenset(
    [
        "AB",
        "AL",
        "B",
        "BA",
        "BB",
        "BD",
        "BH",
        "BL",
        "BN",
        "BR",
        "BS",
        "BT",
        "CA",
        "CB",
        "CF",
        "CH",
        "CM",
        "CO",
        "CR",
        "CT",
        "CV",
        "CW",
        "DA",
        "DD",
        "DE",
        "DG",
        "DH",
        "DL",
        "DN",
        "DT",
        "DY",
        "E",
        "EC",
        "EH",
        "EN",
        "EX",
        "FK",
        "FY",
        "G",
        "GL",
        "GU",
        "GY",
        "HA",
        "HD",
        "HG",
        "HP",
        "HR",
        "HS",
        "HU",
        "HX",
        "IG",
        "IM",
        "IP",
        "IV",
        "JE",
        "KA",
        "KT",
        "KW",
        "KY",
        "L",
        "LA",
        "LD",
        "LE",
        "LL",
        "LN",
        "LS",
        "LU",
        "M",
        "ME",
        "MK",
        "ML",
        "N",
        "NE",
        "NG",
        "NN",
        "NP",
        "NR",
        "NW",
        "OL",
        "OX",
        "PA",
        "PE",
        "PH",
        "PL",
        "PO",
        "PR",
        "RG",
        "RH",
        "RM",
        "S",
        "SA",
        "SE",
        "SG",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SP",
        "SR",
        "SS",
        "ST",
        "SW",
        "SY",
        "TA",
        "TD",
        "TF",
        "TN",
        "TQ",
        "TR",
        "TS",
        "TW",
        "UB",
        "W",
        "WA",
        "WC",
        "WD",
        "WF",
        "WN",
        "WR",
        "WS",
        "WV",
        "YO",
        "ZE",
    ]
)
_GENERIC_SCHOOL_WORDS = frozenset(
    [
        "sunday",
        "bible",
        "summer",
        "holiday",
        "driving",
        "dance",
        "music",
        "drama",
        "art",
        "film",
        "night",
        "the",
        "our",
        "my",
        "your",
        "his",
        "her",
        "their",
        "this",
        "that",
        "back",
        "to",
        "high",
        "primary",
        "secondary",
        "grammar",
        "junior",
        "infant",
        "middle",
        "community",
        "catholic",
        "prep",
        "old",
        "new",
        "public",
        "private",
        "state",
        "boarding",
        "free",
        "a",
        "an",
        "at",
        "in",
        "of",
        "and",
        "for",
    ]
)
_HANDLE_TAIL = re.compile(r"[@:=\-]\s*@?[a-z0-9_.]{3,30}$|[0-9_.]", re.IGNORECASE)


class Context:
    """The message a candidate was found in, with the facts about the whole
    message that validators ask for, each worked out once per message (so a
    message full of candidates is still read in linear time)."""

    def __init__(self, message: str) -> None:
        self.message = message

    @cached_property
    def mentions_platform(self) -> bool:
        return _PLATFORM_CONTEXT.search(self.message) is not None

    @cached_property
    def mentions_cards(self) -> bool:
        return _CARD_CONTEXT.search(self.message) is not None


# A validator: (candidate, its message, where in the message it starts).
Check = Callable[[str, Context, int], bool]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@lru_cache(maxsize=4096)  # chats repeat the same numbers; parsing is slow
def _parses_as_phone(candidate: str) -> bool:
    """A real number by phonenumbers' metadata, international or UK/US."""
    text = candidate.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    regions: tuple[str | None, ...] = (None,) if text.startswith("+") else _PREFIXES
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if region is None and phonenumbers.is_possible_number(number):
            return True
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _grouped_like_phone(candidate: str) -> bool:
    """Digit groups of at most four, as people write phone numbers; a five-digit
    group is more often a house number or ZIP code next to another number."""
    groups = _GROUPS.findall(candidate)
    return 3 <= len(groups) <= 6 and max(len(g) for g in groups) <= 4


def check_phone(candidate: str, context: Context, start: int) -> bool:
    core = re.sub(r" ?(?:x|ext\.?|extension) ?\d{1,5}$", "", candidate, flags=re.I)
    digits = _digits(core)
    if not 7 <= len(digits) <= 15 or _NOT_PHONE.match(core.strip("() ")):
        return False
    if _DATE_START.match(core):
        return False
    if core.startswith(("+", "00")):
        return _parses_as_phone(core)
    if _parses_as_phone(core):
        return True
    if len(digits) in (10, 11) and digits.startswith("0"):
        return True
    if len(digits) >= 8 and _grouped_like_phone(core):
        return True
    return (
        len(digits) <= 12
        and _GROUPS_OK.match(core) is not None
        and _phone_words_before(context.message, start)
    )


def _phone_words_before(message: str, start: int) -> bool:
    """A word about phones just before the number, and none about other
    numbers (card, licence, account...)."""
    before = message[max(0, start - 30) : max(start, 0)]
    return bool(_PHONE_CONTEXT.search(before)) and not _OTHER_NUMBER.search(before)


def phone_span(candidate: str, context: Context, offset: int) -> tuple[int, int] | None:
    """Where in a run of digit groups the phone number is, if anywhere.

    The candidate pattern is greedy, so a ZIP code or house number (five digits
    or more) written just before a number joins it; drop it and try again.
    """
    start = 0
    while True:
        if check_phone(candidate[start:], context, offset + start):
            return start, len(candidate)
        lead = re.match(r"\d{5,} ", candidate[start:])
        if lead is None:
            return None
        start += lead.end()


def spelled_digits(candidate: str) -> str:
    """'oh seven double seven ...' -> '0777...'."""
    out: list[str] = []
    repeat = 1
    for word in re.split(r"[ ,\-]+", candidate.lower()):
        if word in REPEAT_WORDS:
            repeat = REPEAT_WORDS[word]
            continue
        out.append(DIGIT_WORDS.get(word, "") * repeat)
        repeat = 1
    return "".join(out)


def check_spelled_phone(candidate: str, context: Context, start: int) -> bool:
    digits = spelled_digits(candidate)
    return 9 <= len(digits) <= 15 and check_phone(digits, context, start)


_NOT_USERS = frozenset({"me", "us", "them", "it", "meet", "see", "be", "here"})


_SPELLED_AT = re.compile(r" ?(\(at\)|\[at\]|\{at\}| at ) ?", re.IGNORECASE)
_SPELLED_DOT = re.compile(r" ?(?:\(dot\)|\[dot\]|\{dot\}| dot ) ?", re.IGNORECASE)


def check_spelled_email(candidate: str, context: Context, start: int) -> bool:
    # "meet at 10 dot com" is not an address: the user part must look like one.
    # The rule is caseless, so "JO AT EXAMPLE DOT COM" must split too.
    user, _, rest = _SPELLED_AT.split(candidate, maxsplit=1)
    domain = _SPELLED_DOT.split(rest)[0]
    return not (user.isdigit() or domain.isdigit()) and user.lower() not in _NOT_USERS


def check_postcode(candidate: str, context: Context, start: int) -> bool:
    area = re.match(r"[A-Z]+", candidate)
    return area is not None and area.group(0) in _POSTCODE_AREAS


def check_school(candidate: str, context: Context, start: int) -> bool:
    words = candidate.lower().split()[:-1]
    names = [w for w in words if w not in _GENERIC_SCHOOL_WORDS]
    return bool(names) and "school" not in names[:1]


def check_handle(candidate: str, context: Context, start: int) -> bool:
    return _HANDLE_TAIL.search(candidate.split()[-1]) is not None or bool(
        re.search(r"[:=@]", candidate)
    )


_PLATFORM_CONTEXT = re.compile(
    r"\b(?:insta(?:gram)?|ig|snap(?:chat)?|sc|tik ?tok|twitter|x|kik|discord|"
    r"telegram|follow|add|handle|username|user ?name|dm|account)\b",
    re.IGNORECASE | re.ASCII,
)


def check_at_handle(candidate: str, context: Context, start: int) -> bool:
    """An @name is a handle when the message talks about a platform; in a
    WhatsApp group the same shape is just a mention of a member."""
    return context.mentions_platform


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_CARD_CONTEXT = re.compile(
    r"\b(?:card|visa|master ?card|amex|debit|credit|pay|payment|cvv|expiry)\b",
    re.IGNORECASE | re.ASCII,
)


def check_card(candidate: str, context: Context, start: int) -> bool:
    """Luhn-valid; an ungrouped run of digits also needs a word about cards."""
    digits = _digits(candidate)
    if not _luhn(digits):
        return False
    return " " in candidate or "-" in candidate or context.mentions_cards


def check_iban(candidate: str, context: Context, start: int) -> bool:
    text = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(text) <= 34:
        return False
    moved = text[4:] + text[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "phone": check_phone,
        "spelled_phone": check_spelled_phone,
        "spelled_email": check_spelled_email,
        "postcode": check_postcode,
        "school": check_school,
        "handle": check_handle,
        "at_handle": check_at_handle,
        "card": check_card,
        "iban": check_iban,
    }
)
