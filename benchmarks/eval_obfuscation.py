# ruff: noqa: RUF001 (look-alike letters are what this evaluation is about)
"""Recall on a disguised copy of the PII samples, next to plain recall.

    python benchmarks/eval_obfuscation.py [--pii S] [--seed N]

The copy is built on the fly from ``../shared/data/pii`` with a fixed seed:
every phone number, email address and street address in a sample is written
again with one trick a person hiding it might use (chosen at random per
span): letters for digits, digits spaced out or written as words, fullwidth
characters, zero-width characters inside, Cyrillic look-alike letters. The
gold spans move with the text. Only counts and scores are printed, never
sample text. ``eval_screening.py`` calls ``eval_obfuscation`` so ``make eval``
prints and records it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import PII, jsonl
from safeguarding.screening import scan_many
from safeguarding.tests.synthetic_corpus import DIGIT_WORDS

SEED = 1404
TYPES = {
    "PHONE_NUMBER": ("phone", "pii.phone"),
    "EMAIL_ADDRESS": ("email", "pii.email"),
    "STREET_ADDRESS": ("address", "pii.address"),
}
_CYRILLIC = str.maketrans("aeopcxyAEOPCXHTMBK", "аеорсхуАЕОРСХНТМВК")
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
ZWSP = "\u200b"


def _letters_for_digits(value: str, rng: random.Random) -> str:
    return value.replace("0", "O").replace("1", "l")


def _spaced_digits(value: str, rng: random.Random) -> str:
    digits = [c for c in value if c.isdigit()]
    return ("+" if value.startswith("+") else "") + " ".join(digits)


def _digits_as_words(value: str, rng: random.Random) -> str:
    """The last four digits as words: "(555) 123-four five six seven"."""
    places = [i for i, c in enumerate(value) if c.isdigit()][-4:]
    if len(places) < 4:
        return value
    words = " ".join(DIGIT_WORDS[int(value[i])] for i in places)
    return value[: places[0]] + words + value[places[-1] + 1 :]


def _fullwidth(value: str, rng: random.Random) -> str:
    return "".join(_FULLWIDTH.get(c, c) for c in value)


def _zero_width(value: str, rng: random.Random) -> str:
    return "".join(c + (ZWSP if i % 3 == 2 else "") for i, c in enumerate(value))


def _cyrillic(value: str, rng: random.Random) -> str:
    return value.translate(_CYRILLIC)


Trick = Callable[[str, random.Random], str]
TRICKS: dict[str, dict[str, Trick]] = {
    "phone": {
        "letters_for_digits": _letters_for_digits,
        "spaced_digits": _spaced_digits,
        "digits_as_words": _digits_as_words,
        "fullwidth": _fullwidth,
        "zero_width": _zero_width,
    },
    "email": {
        "fullwidth": _fullwidth,
        "zero_width": _zero_width,
        "cyrillic": _cyrillic,
    },
    "address": {
        "fullwidth": _fullwidth,
        "zero_width": _zero_width,
        "cyrillic": _cyrillic,
    },
}

Span = tuple[int, int, str, str]  # start, end, kind, trick


def disguise(
    sample: dict[str, Any], rng: random.Random
) -> tuple[str, list[Span], list[Span]]:
    """(disguised text, its gold spans, the plain text's gold spans)."""
    text = sample["full_text"]
    spans = sorted(
        (s for s in sample["spans"] if s["entity_type"] in TYPES),
        key=lambda s: s["start_position"],
    )
    out: list[str] = []
    moved: list[Span] = []
    plain: list[Span] = []
    at = 0
    for span in spans:
        start, end = span["start_position"], span["end_position"]
        if start < at:
            continue  # overlapping gold spans: keep the first
        kind = TYPES[span["entity_type"]][0]
        name, trick = rng.choice(sorted(TRICKS[kind].items()))
        new = trick(text[start:end], rng)
        out.append(text[at:start])
        begin = sum(map(len, out))
        out.append(new)
        moved.append((begin, begin + len(new), kind, name))
        plain.append((start, end, kind, name))
        at = end
    out.append(text[at:])
    return "".join(out), moved, plain


def _recall(texts: list[str], golds: list[list[Span]]) -> dict[str, Any]:
    found = scan_many(texts)
    hits: dict[str, list[bool]] = {}
    by_trick: dict[str, list[bool]] = {}
    predicted: dict[str, list[bool]] = {}
    for findings, gold in zip(found, golds, strict=True):
        for start, end, kind, trick in gold:
            indicator = f"pii.{kind}"
            hit = any(
                f.indicator == indicator and f.start < end and start < f.end
                for f in findings
            )
            hits.setdefault(kind, []).append(hit)
            by_trick.setdefault(f"{kind}.{trick}", []).append(hit)
        for f in findings:
            kind = f.indicator.removeprefix("pii.")
            if kind in TRICKS:
                right = any(
                    k == kind and f.start < e and s < f.end for s, e, k, _ in gold
                )
                predicted.setdefault(kind, []).append(right)
    return {
        "recall": {k: _share(v) for k, v in sorted(hits.items())},
        "precision": {k: _share(v) for k, v in sorted(predicted.items())},
        "recall_by_trick": {k: _share(v) for k, v in sorted(by_trick.items())},
    }


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def eval_obfuscation(path: Path = PII, seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    samples = list(jsonl(path))
    disguised = [disguise(sample, rng) for sample in samples]
    plain = _recall([s["full_text"] for s in samples], [d[2] for d in disguised])
    hidden = _recall([d[0] for d in disguised], [d[1] for d in disguised])
    return {
        "pii_obfuscated_seed": seed,
        "pii_obfuscated_spans": sum(len(d[1]) for d in disguised),
        "pii_recall_plain": plain["recall"],
        "pii_recall_obfuscated": hidden["recall"],
        "pii_precision_obfuscated": hidden["precision"],
        "pii_recall_obfuscated_by_trick": hidden["recall_by_trick"],
    }


def print_obfuscation(results: dict[str, Any]) -> None:
    plain, hidden = results["pii_recall_plain"], results["pii_recall_obfuscated"]
    precision = results["pii_precision_obfuscated"]
    for kind in sorted(plain):
        print(
            f"pii {kind:8} disguised recall {hidden.get(kind)!s:>7} "
            f"(plain {plain[kind]!s:>7}), precision {precision.get(kind)!s:>7}"
        )
    for trick, recall in results["pii_recall_obfuscated_by_trick"].items():
        print(f"    {trick:28} recall {recall}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pii", type=Path, default=PII)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    results = eval_obfuscation(args.pii, args.seed)
    print_obfuscation(results)
    print(json.dumps({k: v for k, v in results.items() if "by_trick" not in k}))


if __name__ == "__main__":
    main()
