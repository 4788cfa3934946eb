# ruff: noqa: RUF001 (look-alike letters are what this corpus is about)
"""A large, varied, seeded corpus of our own synthetic messages.

Ordinary chat, every kind of finding, and every disguise the scanner undoes
(fullwidth and mathematical letters, look-alikes, zero-width and direction
marks, leetspeak, spaced, dotted and broken letters, repeated letters, number
words among digits), mixed with text in other alphabets, emoji and line
breaks. The parity tests and the speed benchmark use it: the same seed gives
the same messages on every machine. None of it comes from ``../shared/data``.
"""

from __future__ import annotations

import random

ORDINARY = (
    "see you at youth club on thursday",
    "bring a coat and 2 pounds",
    "the rota is on the noticeboard",
    "thanks everyone, great evening",
    "who is doing the teas on sunday",
    "running 10 mins late sorry",
    "the minibus leaves at 10:30 from the church",
    "tickets are £12.50, doors at 7pm",
    "hahaha sooo funny",
    "lol m8 2nd time today",
    "ok",
    "yes",
    "can someone open up at 6",
    "www.example.org has the rota",
    "happy birthday Sam!!!",
    "he met me at the station",
    "we need 4 teams of 5",
    "I'm at St. John's, 1 o'clock",
    "<Media omitted>",
    "This message was deleted",
    "the score was 1 2 3 4 in the end",
    "a-b-c is easy",
    "u r a star",
)
FINDINGS = (
    "you are so beautiful",
    "don't tell your mum we talk",
    "this is our little secret ok",
    "r u home alone tonight",
    "add me on snapchat",
    "how old are you",
    "send me a pic",
    "i'll buy you a new phone",
    "meet me after school",
    "what are you wearing",
    "you owe me",
    "nobody likes you",
    "i know where you live",
    "i want to die",
    "call 07700 900123",
    "ring +44 7700 900123",
    "mail jo.bloggs@example.org",
    "jo at example dot com",
    "I live at 14 Elm Grove",
    "postcode SW1A 1AA",
    "my snap is jane_doe99",
    "join chat.whatsapp.com/AbCdEf123",
    "I go to Oakfield Primary School",
    "sort code 12-34-56",
    "card 4111 1111 1111 1111",
)
FOREIGN = (
    "Как дела? Всё хорошо, увидимся в субботу",
    "Γεια σου, τι κάνεις; Θα τα πούμε το Σάββατο",
    "¿Así que nos vemos el sábado? Sí, a las 10",
    "Ça va? On se voit à l'église à 10h30",
    "سلام، فردا می\u200cبینمت",
    "नमस्ते, कल मिलते हैं",
    "our family 👨\u200d👩\u200d👧\u200d👦 says hi ❤️",
    "thanks @\u2068Sam\u2069 for the lift",
    "\u200e<attached: photo.jpg>",
    "meet at 6\u202fpm",
)
LOOKALIKE = str.maketrans("aceopsxyi", "асеорѕхуі")  # Cyrillic
GREEK = str.maketrans("oiv", "οιν")
LEET = str.maketrans("aeiost", "4310$7")
DIGIT_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
]
MARKS = ("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u202e")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _bold(text: str) -> str:
    out = []
    for c in text:
        if "a" <= c <= "z":
            out.append(chr(0x1D41A + ord(c) - ord("a")))
        elif "A" <= c <= "Z":
            out.append(chr(0x1D400 + ord(c) - ord("A")))
        else:
            out.append(c)
    return "".join(out)


def _hidden(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(MARKS) + text[at:]


def _spaced(text: str, rng: random.Random) -> str:
    sep = rng.choice((" ", ".", "-", "*", " . "))
    words = text.split(" ")
    at = rng.randrange(len(words))
    words[at] = sep.join(words[at])
    return " ".join(words) if sep != " " else "  ".join(words)


def _repeated(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    return text[:at] + text[at] * rng.randint(2, 6) + text[at:]


def _broken(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    at = rng.randrange(len(words))
    word = words[at]
    if len(word) >= 4:
        cut = rng.randint(2, len(word) - 2)
        words[at] = word[:cut] + rng.choice((" ", "-", "*", "~")) + word[cut:]
    return " ".join(words)


def _digit_words(text: str, rng: random.Random) -> str:
    return "".join(
        f" {DIGIT_WORDS[int(c)]} " if c.isdigit() and rng.random() < 0.4 else c
        for c in text
    )


def _disguise(text: str, rng: random.Random) -> str:
    trick = rng.randrange(12)
    if trick == 0:
        return _fullwidth(text)
    if trick == 1:
        return _bold(text)
    if trick == 2:
        return text.translate(LOOKALIKE)
    if trick == 3:
        return text.translate(GREEK)
    if trick == 4:
        return _hidden(text, rng)
    if trick == 5:
        return text.translate(LEET)
    if trick == 6:
        return _spaced(text, rng)
    if trick == 7:
        return _repeated(text, rng)
    if trick == 8:
        return _broken(text, rng)
    if trick == 9:
        return _digit_words(text, rng)
    if trick == 10:
        return text.upper()
    return "".join(c.translate(LOOKALIKE) if rng.random() < 0.3 else c for c in text)


def message(rng: random.Random) -> str:
    """One message: a few ordinary phrases, perhaps findings, perhaps
    disguised, perhaps another alphabet, emoji or a line break."""
    parts = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        roll = rng.random()
        if roll < 0.55:
            part = rng.choice(ORDINARY)
        elif roll < 0.8:
            part = rng.choice(FINDINGS)
        else:
            part = rng.choice(FOREIGN)
        while rng.random() < 0.3:
            part = _disguise(part, rng)
        parts.append(part)
    joiner = rng.choice((" ", ", ", ". ", "\n", " 😂 ", "\r\n", "  "))
    return joiner.join(parts)


def messages(count: int, seed: int = 1404) -> list[tuple[str, str]]:
    """``count`` (sender, text) pairs from a handful of senders."""
    rng = random.Random(seed)
    senders = [f"sender {i}" for i in range(7)]
    return [(rng.choice(senders), message(rng)) for _ in range(count)]


def worst_shapes(size: int) -> dict[str, str]:
    """Texts of about ``size`` characters in the shapes that cost most:
    findings everywhere, disguises everywhere, one long word, long runs of
    digits and separators, invisible marks, look-alikes and spaced letters."""
    shapes = {
        "findings": "call 07700 900123, s3nd m3 a p1c, d0nt t3ll ur mum, "
        "add me on s n a p, se\u200bcret, mail jo@example.org ",
        "one_word": "a",
        "digits": "0",
        "digit_groups": "07 ",
        "dotted": "s.",
        "spaced": "s ",
        "double_spaced": "s e n d  ",
        "leet": "s3nd m3 ",
        "leet_word": "s3nd",
        "repeats": "seeeeend ",
        "hidden": "s\u200b",
        "lookalike": "ѕеnd ",
        "foreign": "дела ",
        "numbers": "seven 0 ",
        "dashes": "a-",
        "at_signs": "@a",
        "mixed": "Ｓ𝐞ѕ\u200b3 ",
    }
    return {
        name: (unit * (size // len(unit) + 1))[:size] for name, unit in shapes.items()
    }
