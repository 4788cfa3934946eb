# ruff: noqa: RUF001, RUF002 (the look-alike table is made of look-alikes)
"""Undo the tricks that hide words from the scanner, keeping a map back.

People who know a message is checked disguise it: invisible characters inside
words ("se\u200bnd"), look-alike letters from other alphabets ("ѕеnd", Cyrillic),
fullwidth or mathematical letters ("ｓｅｎｄ"), leetspeak ("s3nd p1cs"), letters
spaced or dotted out ("s.n.a.p", "s n a p"), a word broken in two ("sn ap"),
letters repeated ("seeeend"), and digits written as letters or words
("O77OO 9OO 123", "07 seven 00 ..."). ``fold`` turns such text into the plain
form the rules are written for, and keeps, for every character of the result,
the span of the original it came from, so a finding on the folded text is shown
with the original words as its evidence.

Each step is one pass over the text with a regular expression that runs in
linear time (no nested repetition, bounded lookarounds), so folding is linear in
the length of the message. Folding is only for matching: the folded text is
never shown.

Normal text in other alphabets is left alone: look-alike letters are read as
Latin only in words that also hold Latin letters, or when most letters of the
message are Latin (so a Russian or Greek sentence is never turned into English
words). NFKD comes from ``unicodedata``; the look-alike table is our own (see
``docs/screening.md`` for why no library was used).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from safeguarding.screening.pii import DIGIT_WORDS, REPEAT_WORDS

# Letters of other alphabets that look like Latin letters (after NFKD), from
# Unicode's confusables list, kept to those that pass for the Latin letter in
# ordinary fonts.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ү": "y", "ɡ": "g", "ո": "n", "ս": "u",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "З": "3", "І": "I", "Ї": "I",
    "Ј": "J", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "Һ": "H", "Ԁ": "D", "Ԛ": "Q",
    "Ԝ": "W", "Ү": "Y",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin letters that are not ASCII but read as ASCII ones
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ħ": "h", "ŧ": "t", "ƅ": "b", "ɑ": "a", "ɩ": "i", "ʏ": "y", "ᴀ": "a",
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
    "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    # Quotes and dashes people type on phones
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ",
}  # fmt: skip
# Characters that show nothing (or change direction) and can sit inside a word.
INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e0fff"
)
_INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")
_OVERRIDES = frozenset("\u202d\u202e")  # make text read backwards
_SPLITTERS = frozenset("\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062")
_SPLITTERS |= frozenset("\u2063\u2064\ufeff")
_ASCII_LETTERS = re.compile("[A-Za-z]")
_WORD_CHARS = "A-Za-z0-9@$!|"
_SINGLE = f"[{_WORD_CHARS}]"
_SEP = r"[ .\-_*~/+,:;]"
# Three or more single characters, each followed by one separator: "s.n.a.p".
_SINGLES = re.compile(
    rf"(?<![{_WORD_CHARS}]){_SINGLE}(?![{_WORD_CHARS}])"
    rf"(?:{_SEP}{_SINGLE}(?![{_WORD_CHARS}])){{2,}}"
)
# Two or more single characters between double spaces: "m e" in "s e n d  m e".
_SPACED_WORD = re.compile(
    rf"(?:^|(?<=  )){_SINGLE}(?: {_SINGLE})+(?=  |$)", re.MULTILINE
)
# A dash or star between letters inside a word: "sn-ap", "se*cret" (not "."
# or "_", which addresses and handles are made of).
_INNER = re.compile(r"(?<=[A-Za-z])[\-*~](?=[A-Za-z])")
# A lone O or l among digit groups: "+l-555-0147", "O7 7OO".
_LONE_DIGIT = re.compile(
    r"(?:(?<=\d[ \-./()])|(?<![A-Za-z0-9]))[oOlI](?=[ \-./()]?\d{2})"
)
_GAPS = re.compile(" {2,}")
# A word that mixes letters with digits or signs ("s3nd", "O77OO"); the
# lookahead reads each word once and only from its start, so this is linear.
_MIXED_TOKEN = re.compile(
    rf"(?<![{_WORD_CHARS}])(?=[{_WORD_CHARS}]*?(?:[A-Za-z][0-9@$!|]|[0-9@$!|][A-Za-z]))"
    rf"[{_WORD_CHARS}]++"
)
_REPEATS = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)
_LEET = str.maketrans("013457896$@!|+", "oleastbggsailt")
_VOWELS = frozenset("aeiouAEIOU")
_AS_DIGITS = str.maketrans("oOlIi|", "001111")
_DIGIT_LOOKALIKES = frozenset("oOlIi|")
_NOT_LEET = re.compile(
    r"\d+(?:st|nd|rd|th|am|pm|s|k|m|g|h|x|p|yo|yr|yrs|kg|km|cm|mm|ml|hr|hrs|min"
    r"|mins|mb|gb|ft|lb|lbs|mph|v)?",
    re.IGNORECASE,
)
_NUMBER_ITEM = (
    r"(?:\d+|zero|oh|o|one|two|three|four|five|six|seven|eight|nine|"
    r"(?:double|triple|treble)[ \-](?:\d|zero|oh|o|one|two|three|four|five|six|"
    r"seven|eight|nine))"
)
# Digits and number words mixed: "07 seven 00 9oo one two three".
_NUMBER_RUN = re.compile(
    rf"\b{_NUMBER_ITEM}(?:[ ,.\-]{{1,2}}{_NUMBER_ITEM}){{2,}}\b", re.IGNORECASE
)
_WORD_OF_NUMBER = re.compile(rf"\b{_NUMBER_ITEM}\b", re.IGNORECASE)
# A whole run of letters that is a number word: one search, not a set of
# every word of the message.
_ANY_NUMBER_WORD = re.compile(
    rf"(?<![a-z])(?:{'|'.join([*DIGIT_WORDS, *REPEAT_WORDS])})(?![a-z])"
)
MIN_RUN_DIGITS = 7  # number words become digits only in a run this long

# Words people break with a space to get past filters ("sn ap", "nu des").
WATCHWORDS = (
    "snapchat",
    "snap",
    "instagram",
    "insta",
    "whatsapp",
    "telegram",
    "discord",
    "tiktok",
    "kik",
    "skype",
    "wickr",
    "nudes",
    "nude",
    "naked",
    "sexy",
    "secret",
    "webcam",
    "selfie",
    "alone",
    "horny",
    "pics",
)


def _splits(word: str) -> Iterable[str]:
    """The word broken once or twice with a space, every piece two letters
    or more ("sn ap"; one-letter pieces are too often words of their own)."""
    n = len(word)
    for i in range(2, n - 1):
        yield f"{word[:i]} {word[i:]}"
        for j in range(i + 2, n - 1):
            yield f"{word[:i]} {word[i:j]} {word[j:]}"


BROKEN_WORDS = (
    r"\b(?:"
    + "|".join(
        sorted({re.escape(s) for w in WATCHWORDS for s in _splits(w)}, key=len)[::-1]
    )
    + r")\b"
)
_BROKEN = re.compile(BROKEN_WORDS, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and, per character, the span of the original it came from
    (``range`` objects while nothing has moved)."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind ``text[start:end]``."""
        return self.starts[start], self.ends[end - 1]


# The steps of folding, in the order they run; a step can make work for the
# ones after it ("s.3.x" -> "s3x" -> "sex").
STEPS = ("singles", "inner", "broken", "leet", "numbers", "repeats")


def fold(
    text: str,
    *,
    steps: Collection[str] | None = None,
    characters: Folded | None = None,
) -> Folded | None:
    """The plain form of a disguised message, or None when nothing changes.

    ``steps`` names the shapes the caller saw (the scanner's gates); folding
    runs from the first of them on, and looks for broken words only when
    named. ``characters`` is ``characters(text)`` when already worked out.
    """
    state = characters if characters is not None else fold_characters(text)
    for name in _todo(steps):
        state = _STEP[name](state)
    if state.text == text:
        return None
    return state


def _todo(steps: Collection[str] | None) -> tuple[str, ...]:
    if steps is None:
        return STEPS
    if not steps:
        return ()
    first = min(STEPS.index(step) for step in steps)
    return tuple(s for s in STEPS[first:] if s != "broken" or s in steps)


def read_plain(text: str) -> tuple[str, bool]:
    """(The text with each character read one for one, whether some need the
    long way). Accents, curly quotes, fullwidth and mathematical letters read
    one for one, so offsets stay put; invisible characters, look-alikes from
    other alphabets and characters that read as several need ``fold``."""
    if text.isascii():
        return text, False
    quick = text.translate(_ONE_FOR_ONE)
    if _SLOW in quick:
        return text, True
    return quick, False


def read_plain_many(texts: Sequence[str]) -> list[tuple[str, bool]]:
    """``read_plain`` of each text, the texts that are not ASCII read
    together by one table lookup per character in compiled code (``str.translate``
    with a table of our own takes a Python dictionary lookup per character)."""
    out = [(text, False) for text in texts]
    wide = [i for i, text in enumerate(texts) if not text.isascii()]
    if not wide:
        return out
    joined = "".join(texts[i] for i in wide)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    reads = _ONE_CODE[codes]
    if (reads == _UNSEEN_CODE).any():
        for code in np.unique(codes[reads == _UNSEEN_CODE]).tolist():
            _ONE_CODE[code] = ord(_ONE_FOR_ONE[code])
        reads = _ONE_CODE[codes]
    ends = np.cumsum([len(texts[i]) for i in wide])
    starts = ends - np.array([len(texts[i]) for i in wide])
    slow = np.add.reduceat(reads == ord(_SLOW), starts) > 0
    quick = reads.tobytes().decode("utf-32-le", "surrogatepass")
    for i, start, end, long_way in zip(
        wide, starts.tolist(), ends.tolist(), slow.tolist(), strict=True
    ):
        out[i] = (texts[i], True) if long_way else (quick[start:end], False)
    return out


# --- characters: invisible marks, NFKD, look-alikes -----------------------


@lru_cache(maxsize=8192)
def _character(ch: str) -> tuple[str, bool]:
    """(what ``ch`` reads as, whether it is a look-alike from another alphabet)."""
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch], "\u0370" <= ch <= "\u058f"
    if _INVISIBLE_RUN.fullmatch(ch):
        return "", False
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) == "Mn":
            continue  # accents and overlays: "é" reads as "e", "s̶" as "s"
        out.append(_LOOKALIKES.get(part, part))
    return "".join(out), False


class _OneForOne(dict[int, str]):
    """``str.translate`` table, filled on first sight of each character: what
    it reads as when that is one character and no look-alike, else ``_SLOW``."""

    def __missing__(self, code: int) -> str:
        reads, lookalike = _character(chr(code))
        value = reads if len(reads) == 1 and not lookalike else _SLOW
        if len(self) < 65536:  # the characters people use; not every one
            self[code] = value
        return value


_SLOW = "\ue000"  # a private-use character: "map this one the long way"
_ONE_FOR_ONE = _OneForOne()
# ``_ONE_FOR_ONE`` as an array by code point, filled on first sight.
_UNSEEN_CODE = 0xFFFFFFFF
_ONE_CODE = np.full(0x110000, _UNSEEN_CODE, dtype=np.uint32)


def _identity(text: str) -> Folded:
    return Folded(text, range(len(text)), range(1, len(text) + 1))


def fold_characters(text: str) -> Folded:
    """Invisible characters dropped, NFKD without accents, look-alikes read
    as Latin letters (outside words of another alphabet)."""
    if text.isascii():
        return _identity(text)
    quick = text.translate(_ONE_FOR_ONE)
    if _SLOW not in quick:  # accents, quotes, fullwidth: same length, same places
        return _identity(quick)
    if len(text) < _SHORT:
        return _fold_short(text)
    # One table lookup per character, in compiled code: what each character
    # reads as (``_READS``), how many characters that is and whether it is a
    # borrowed look-alike (``_SHAPE``); the map back repeats each original
    # position once per character it became.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    shape = _SHAPE[codes]
    if (shape == _UNSEEN).any():
        for code in np.unique(codes[shape == _UNSEEN]).tolist():
            _learn(code)
        shape = _SHAPE[codes]
    lengths = shape & _LENGTH
    starts_np = np.repeat(np.arange(len(codes), dtype=np.int64), lengths)
    starts = array("q", starts_np.tobytes())
    ends = array("q", (starts_np + 1).tobytes())
    folded = text.translate(_READS)
    borrowed = np.flatnonzero(shape & _BORROWED)
    if len(borrowed):
        # A look-alike reads as one letter: its place in the result is the
        # number of characters the text before it became.
        places = (np.cumsum(lengths, dtype=np.int64) - 1)[borrowed]
        chars = list(folded)
        _keep_foreign_words(text, chars, starts, set(places.tolist()))
        folded = "".join(chars)
    return Folded(folded, starts, ends)


_SHORT = 64  # below this, a walk over the text costs less than numpy's calls


def _fold_short(text: str) -> Folded:
    """``fold_characters`` for a short text, walking it run by run."""
    chars: list[str] = []
    starts = array("q")  # eight bytes a character, not a Python int each
    ends = array("q")
    borrowed: list[int] = []  # positions in chars of look-alike letters
    for run in _RUNS.finditer(text):
        begin = run.start()
        piece = run.group()
        if piece.isascii():
            chars.extend(piece)
            starts.extend(range(begin, run.end()))
            ends.extend(range(begin + 1, run.end() + 1))
            continue
        reads, lookalike = _character(piece)
        if lookalike:
            borrowed.append(len(chars))
        chars.extend(reads)
        starts.extend([begin] * len(reads))
        ends.extend([begin + 1] * len(reads))
    if borrowed:
        _keep_foreign_words(text, chars, starts, set(borrowed))
    return Folded("".join(chars), starts, ends)


_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")
# Per code point: how many characters it reads as (low bits), whether it is
# a look-alike from another alphabet, or not yet worked out. Filled on first
# sight of each character, like ``_ONE_FOR_ONE``.
_LENGTH = 0x3F
_BORROWED = 0x40
_UNSEEN = 0x80
_SHAPE = np.full(0x110000, _UNSEEN, dtype=np.uint8)
_SHAPE[:128] = 1


class _Reads(dict[int, str]):
    """``str.translate`` table: what each character reads as (``_character``)."""

    def __missing__(self, code: int) -> str:
        reads = _learn(code)
        if len(self) >= 65536:  # the characters people use; not every one
            return reads
        self[code] = reads
        return reads


def _learn(code: int) -> str:
    reads, lookalike = _character(chr(code))
    if len(reads) > _LENGTH:  # pragma: no cover - no character reads as 64
        raise ValueError("a character reads as too many")
    _SHAPE[code] = len(reads) | (_BORROWED if lookalike else 0)
    return reads


_READS = _Reads({code: chr(code) for code in range(128)})


def _keep_foreign_words(
    text: str, chars: list[str], starts: Sequence[int], borrowed: set[int]
) -> None:
    """Put back look-alikes in words of another alphabet.

    A word keeps its own letters when it holds a letter no Latin letter looks
    like ("дела"); a word made only of look-alikes ("как") is read as Latin
    only when words with Latin letters outnumber words in another alphabet.
    """
    joined = "".join(chars)
    words = []
    latin_words = foreign_words = 0
    for word in re.finditer(r"\S+", joined):
        span = range(word.start(), word.end())
        mine = [i for i in span if i in borrowed]
        own_latin = any(
            chars[i].isascii() and chars[i].isalpha() and i not in borrowed
            for i in span
        )
        foreign = any(not c.isascii() and c.isalpha() for c in word.group())
        latin_words += own_latin
        foreign_words += foreign
        if mine:
            words.append((mine, own_latin, foreign))
    for mine, own_latin, foreign in words:
        if foreign or (not own_latin and latin_words <= foreign_words):
            for i in mine:
                chars[i] = text[starts[i]]


# --- rewriting with the map kept -----------------------------------------


def _rewrite(state: Folded, edits: Iterable[tuple[int, int, str]]) -> Folded:
    """Apply (start, end, replacement) edits, in order and not overlapping.

    A replacement of the same length maps character by character; any other
    maps each new character to the whole original span it replaces.
    """
    chars: list[str] = []
    starts = array("q")
    ends = array("q")
    at = 0
    old_starts, old_ends = state.starts, state.ends
    for start, end, new in edits:
        if not chars and isinstance(old_starts, range):
            # Copied in slices below: an array's slice copies in one step, a
            # range's one number at a time.
            old_starts, old_ends = _as_array(old_starts), _as_array(old_ends)
        chars.append(state.text[at:start])
        starts.extend(old_starts[at:start])
        ends.extend(old_ends[at:start])
        if len(new) == end - start:
            starts.extend(old_starts[start:end])
            ends.extend(old_ends[start:end])
        elif new:
            starts.extend([old_starts[start]] * len(new))
            ends.extend([old_ends[end - 1]] * len(new))
        chars.append(new)
        at = end
    if at == 0 and not chars:
        return state
    chars.append(state.text[at:])
    starts.extend(old_starts[at:])
    ends.extend(old_ends[at:])
    return Folded("".join(chars), starts, ends)


def _as_array(numbers: Sequence[int]) -> array[int]:
    if not isinstance(numbers, range):
        return array("q", numbers)
    first, stop = numbers.start, numbers.stop  # ranges here step by one
    return array("q", np.arange(first, stop, dtype=np.int64).tobytes())


def _join_singles(state: Folded) -> Folded:
    """ "s n a p", "s.e.x", "0 7 7 0 0": single characters spelled out. In
    text spaced out letter by letter, with two spaces between words, short
    words ("m e") are joined too."""
    edits = []
    runs = list(_SINGLES.finditer(state.text))
    spaced = "  " in state.text
    if spaced:
        runs = sorted({*runs, *_SPACED_WORD.finditer(state.text)}, key=_start)
        runs = [
            r for i, r in enumerate(runs) if not i or r.start() >= runs[i - 1].end()
        ]
    for run in runs:
        for i in range(run.start() + 1, run.end(), 2):
            edits.append((i, i + 1, ""))
    state = _rewrite(state, edits)
    if spaced:  # then two spaces are one: "send  me" reads "send me"
        gaps = _GAPS.finditer(state.text)
        state = _rewrite(state, [(m.start(), m.end(), " ") for m in gaps])
    return state


def _start(match: re.Match[str]) -> int:
    return match.start()


def _join_inner(state: Folded) -> Folded:
    return _rewrite(
        state, ((m.start(), m.end(), "") for m in _INNER.finditer(state.text))
    )


def _join_broken(state: Folded) -> Folded:
    edits = []
    for match in _BROKEN.finditer(state.text):
        for i, ch in enumerate(match.group(), match.start()):
            if ch == " ":
                edits.append((i, i + 1, ""))
    return _rewrite(state, edits)


def _leet(state: Folded) -> Folded:
    """Digits and signs standing for letters ("s3nd", "h0me", "$exy"), and
    letters standing for digits ("O77OO")."""
    edits = []
    for token in _MIXED_TOKEN.finditer(state.text):
        word = token.group()
        if "@" in word and state.text.startswith(".", token.end()):
            continue  # an email address: "@" is its own sign there
        new = _unleet(word)
        if new != word:
            edits.append((token.start(), token.end(), new))
    state = _rewrite(state, edits)
    lone = _LONE_DIGIT.finditer(state.text)
    return _rewrite(
        state, [(m.start(), m.end(), m.group().translate(_AS_DIGITS)) for m in lone]
    )


def _unleet(word: str) -> str:
    # Chat repeats its words ("2day", "10am"): short ones are looked up.
    return _unleet_short(word) if len(word) <= _SHORT_WORD else _unleet_word(word)


_SHORT_WORD = 40


@lru_cache(maxsize=65536)
def _unleet_short(word: str) -> str:
    return _unleet_word(word)


def _unleet_word(word: str) -> str:
    letters = sum(c.isalpha() for c in word)
    digits = sum(c.isdigit() for c in word)
    if digits and all(c in _DIGIT_LOOKALIKES for c in word if not c.isdigit()):
        return word.translate(_AS_DIGITS) if letters else word
    if not letters or _NOT_LEET.fullmatch(word):
        return word
    core = word.rstrip("!|+@$")  # a trailing "!" ends a sentence
    head = core.lstrip("!|+@")  # a leading "@" names someone
    lead = len(core) - len(head)
    if not head:
        return word
    return core[:lead] + _as_letters(head) + word[len(core) :]


def _as_letters(word: str) -> str:
    """Leetspeak read as letters; "1", "!" and "|" are "i" between two
    consonants ("p1c") and "l" next to a vowel ("a1one", "ki11")."""
    out = list(word.translate(_LEET))
    for i, ch in enumerate(word):
        if ch in "1!|":
            before = out[i - 1] if i else "b"
            after = out[i + 1] if i + 1 < len(out) else "b"
            vowel = before in _VOWELS or after in _VOWELS
            out[i] = "l" if vowel or "l" in (before, after) or after in "1!|" else "i"
    return "".join(out)


def _numbers(state: Folded) -> Folded:
    """Number words among digits ("07 seven 00 ...") become digits."""
    if not _ANY_NUMBER_WORD.search(state.text.lower()):
        return state
    edits = []
    for run in _NUMBER_RUN.finditer(state.text):
        words = list(_WORD_OF_NUMBER.finditer(run.group()))
        values = [_number_value(w.group()) for w in words]
        if sum(map(len, values)) < MIN_RUN_DIGITS:
            continue
        if all(w.group().isdigit() for w in words) or not any(
            w.group().isdigit() for w in words
        ):
            continue  # all digits already, or all words (the spelled-phone rule)
        base = run.start()
        for i, (word, value) in enumerate(zip(words, values, strict=True)):
            if value != word.group():
                edits.append((base + word.start(), base + word.end(), value))
            # Words said one after another are one group: "four five six".
            after = words[i + 1] if i + 1 < len(words) else None
            if (
                after is not None
                and not word.group().isdigit()
                and not after.group().isdigit()
                and run.group()[word.end() : after.start()] == " "
            ):
                edits.append((base + word.end(), base + after.start(), ""))
    return _rewrite(state, edits)


def _number_value(word: str) -> str:
    if word.isdigit():
        return word
    parts = re.split(r"[ \-]", word.lower())
    if len(parts) == 2:
        digit = parts[1] if parts[1].isdigit() else DIGIT_WORDS[parts[1]]
        return digit * REPEAT_WORDS[parts[0]]
    return DIGIT_WORDS[parts[0]]


def _repeats(state: Folded) -> Folded:
    """ "seeeend" -> "send": a letter three or more times reads as one (the
    rules for folded text accept a single letter where a word has two)."""
    return _rewrite(
        state, ((m.start(), m.end(), m.group(1)) for m in _REPEATS.finditer(state.text))
    )


# --- hidden characters ----------------------------------------------------


def hidden_spans(text: str) -> list[tuple[int, int]]:
    """Where invisible or direction-changing characters hide inside words.

    Direction overrides (which make text read backwards) count anywhere.
    Zero-width characters count inside a word next to a Latin letter or digit;
    other marks only between two of them. So emoji sequences, Persian or Hindi words
    (which need joiners) and the marks WhatsApp puts round names and numbers
    do not count. The span covers the word around the characters.
    """
    if text.isascii():
        return []
    spans = []
    for run in _INVISIBLE_RUN.finditer(text):
        start, end = run.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        chars = set(run.group())
        inside = not (before.isspace() or after.isspace())
        if (
            chars & _OVERRIDES
            or (chars & _SPLITTERS and inside and (_latin(before) or _latin(after)))
            or (_latin(before) and _latin(after))
        ):
            spans.append(_word_around(text, start, end))
    return spans


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    limit = 40  # a word, not a whole line without spaces
    left = start
    while left > 0 and start - left < limit and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and right - end < limit and not text[right].isspace():
        right += 1
    return left, right


_STEP: dict[str, Callable[[Folded], Folded]] = {
    "singles": _join_singles,
    "inner": _join_inner,
    "broken": _join_broken,
    "leet": _leet,
    "numbers": _numbers,
    "repeats": _repeats,
}
