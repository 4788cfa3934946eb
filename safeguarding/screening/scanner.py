"""Scan messages for risk indicators and personal details.

The fast path compiles every rule into one Hyperscan database, joins a batch
of messages into one buffer (newline between messages, newlines inside a
message turned into spaces so offsets stay put) and scans it in one call.
Hyperscan only says which rule matched in which message; Python's ``re``
then finds the exact spans in that message alone and the validators in
``pii.py`` keep only real personal details. Most messages match nothing, so
almost all the work happens in compiled code.

Disguised text (``evasion.py``) is read twice: the same Hyperscan call also
runs a few *gate* patterns (leetspeak, spaced letters, repeated letters,
number words among digits, any character outside ASCII) and only the messages
a gate marks are folded into plain text and scanned again, with rules that
accept a single letter where a word has two (folding reads "seeeend" as
"send") and "i" for "l" (leetspeak "1" is either). A finding on folded text
is kept only when its original words differ from the folded ones, and is
shown with the original words. Invisible characters inside words are a
finding of their own (``evasion.hidden_characters``).

Every step is linear in the length of the text: the overlap sweep sorts the
findings once, and validators read each message's context once.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import hyperscan
import numpy as np

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.evasion import (
    Folded,
    fold,
    fold_characters,
    hidden_spans,
    read_plain_many,
)
from safeguarding.screening.findings import Finding
from safeguarding.screening.indicators import INDICATORS
from safeguarding.screening.pii import CHECKS, Check, Context, phone_span
from safeguarding.screening.rules import GATES, Rule, all_rules, tolerant

_SEPARATOR = "\n"
_INNER_BREAKS = str.maketrans({"\n": " ", "\r": " "})
HIDDEN = "evasion.hidden_characters"
Span = tuple[str, int, int]  # indicator, start, end


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    regex: re.Pattern[str]
    check: Check | None


class Scanner:
    """A compiled set of rules; build once, scan many batches."""

    def __init__(self, rules: Sequence[Rule], *, evasion: bool = True) -> None:
        self._rules = tuple(_compile_rule(rule) for rule in rules)
        self._gates = len(rules)  # ids from here on are gates, not rules
        self._evasion = evasion
        gates = [rule for _, rule in GATES] if evasion else []
        self._database = _compile_database([*rules, *gates])
        self._gate_database = _compile_database(gates)
        folded = [tolerant(rule) for rule in rules]
        self._folded_rules = tuple(_compile_rule(rule) for rule in folded)
        self._folded_database = _compile_database(folded)
        # Hyperscan scratch space serves one scan at a time: each thread
        # scans with its own clone of each database's prototype scratch.
        self._local = threading.local()

    def scan(self, text: str) -> tuple[Finding, ...]:
        return self.scan_many([text])[0]

    def scan_many(self, texts: Sequence[str]) -> list[tuple[Finding, ...]]:
        """Findings for each text, in order; one Hyperscan call for the batch
        (and one more for the disguised messages among them)."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise ScreeningError(f"message {index} is not text")
        # Accents, curly quotes and fullwidth letters are read one for one,
        # so offsets stay put and most text needs no folding at all.
        readings = read_plain_many(texts) if self._evasion else None
        plains = [r[0] for r in readings] if readings else texts
        spans: dict[int, list[Span]] = {}
        gated: dict[int, set[str]] = {}  # message -> folding steps it needs
        for index, rule_ids in self._candidates(self._database, plains).items():
            plain = {r for r in rule_ids if r < self._gates}
            if plain:
                clean = plains[index].translate(_INNER_BREAKS)
                spans[index] = self._confirm(self._rules, clean, plain)
            if len(plain) < len(rule_ids):
                gated[index] = self._steps(rule_ids)
        if readings:
            slow = [i for i, (_, long_way) in enumerate(readings) if long_way]
            self._scan_folded(texts, plains, gated, slow, spans)
        return [
            _without_overlaps(texts[i], spans[i]) if i in spans else ()
            for i in range(len(texts))
        ]

    def _steps(self, rule_ids: set[int]) -> set[str]:
        return {GATES[r - self._gates][0] for r in rule_ids if r >= self._gates}

    def _scan_folded(
        self,
        texts: Sequence[str],
        plains: Sequence[str],
        gated: dict[int, set[str]],
        slow: list[int],
        spans: dict[int, list[Span]],
    ) -> None:
        # Invisible characters, look-alikes and the like: read the characters
        # first, then ask the gates about the result (leetspeak written with a
        # Cyrillic "s" only shows once that letter reads as Latin).
        characters = {i: fold_characters(texts[i]) for i in slow}
        for index in slow:
            hidden = [(HIDDEN, s, e) for s, e in hidden_spans(texts[index])]
            if hidden:
                spans.setdefault(index, []).extend(hidden)
            gated.setdefault(index, set())
        regated = self._candidates(
            self._gate_database, [characters[i].text for i in slow]
        )
        for position, gate_ids in regated.items():
            gated[slow[position]] |= self._steps({g + self._gates for g in gate_ids})
        folds: dict[int, Folded] = {}
        for index, steps in gated.items():
            folded = fold(plains[index], steps=steps, characters=characters.get(index))
            if folded is not None:
                folds[index] = folded
        if not folds:
            return
        order = list(folds)
        found = self._candidates(self._folded_database, [folds[i].text for i in order])
        for position, rule_ids in found.items():
            index = order[position]
            folded, plain = folds[index], plains[index]

            def changed(start: int, end: int) -> bool:
                # Words the plain rules read the same way are theirs to find.
                begin, finish = folded.original(start, end)  # noqa: B023
                return plain[begin:finish] != folded.text[start:end]  # noqa: B023

            clean = folded.text.translate(_INNER_BREAKS)
            for indicator, start, end in self._confirm(
                self._folded_rules, clean, rule_ids, changed
            ):
                begin, finish = folded.original(start, end)
                spans.setdefault(index, []).append((indicator, begin, finish))

    def _candidates(
        self, database: hyperscan.Database | None, texts: Sequence[str]
    ) -> dict[int, set[int]]:
        if database is None or not texts:
            return {}
        buffer = _joined(texts)
        # Separators are the only newlines left, so a match's message is the
        # number of separators before it.
        separators = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 10)
        hits: list[tuple[int, int]] = []

        def on_match(rule_id: int, _from: int, to: int, _f: int, _c: object) -> None:
            hits.append((rule_id, to))

        database.scan(
            buffer, match_event_handler=on_match, scratch=self._scratch(database)
        )
        found: dict[int, set[int]] = {}
        if not hits:
            return found
        ends = np.fromiter((to - 1 for _, to in hits), dtype=np.int64, count=len(hits))
        owners = np.searchsorted(separators, ends, side="right").tolist()
        for (rule_id, _), owner in zip(hits, owners, strict=True):
            found.setdefault(owner, set()).add(rule_id)
        return found

    def _scratch(self, database: hyperscan.Database) -> hyperscan.Scratch:
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {}
        scratch = scratches.get(id(database))
        if scratch is None:
            scratch = scratches[id(database)] = database.scratch.clone()
        return scratch

    @staticmethod
    def _confirm(
        rules: Sequence[_Compiled],
        clean: str,
        rule_ids: set[int],
        wanted: Callable[[int, int], bool] | None = None,
    ) -> list[Span]:
        found: list[Span] = []
        context = Context(clean)
        for rule_id in sorted(rule_ids):
            compiled = rules[rule_id]
            for match in compiled.regex.finditer(clean):
                start, end = _trim(clean, match.start(), match.end())
                if wanted is not None and not wanted(start, end):
                    continue
                if compiled.rule.check == "phone":
                    span = phone_span(clean[start:end], context, start)
                    if span is None:
                        continue
                    start, end = start + span[0], start + span[1]
                elif compiled.check and not compiled.check(
                    clean[start:end], context, start
                ):
                    continue
                found.append((compiled.rule.indicator, start, end))
        return found


def _compile_rule(rule: Rule) -> _Compiled:
    flags = re.ASCII | re.MULTILINE | (re.IGNORECASE if rule.caseless else 0)
    check = CHECKS[rule.check] if rule.check else None
    return _Compiled(rule, re.compile(rule.pattern, flags), check)


def _compile_database(rules: Sequence[Rule]) -> hyperscan.Database | None:
    if not rules:
        return None
    database = hyperscan.Database()
    flags = [
        hyperscan.HS_FLAG_MULTILINE
        | (hyperscan.HS_FLAG_CASELESS if rule.caseless else 0)
        for rule in rules
    ]
    try:
        database.compile(
            expressions=[rule.pattern.encode("ascii") for rule in rules],
            ids=list(range(len(rules))),
            elements=len(rules),
            flags=flags,
        )
    except hyperscan.error as error:  # pragma: no cover - a broken rule table
        raise ScreeningError(f"could not compile rules: {error}") from error
    return database


def _joined(texts: Sequence[str]) -> bytes:
    """The batch as one UTF-8 buffer, newline between messages and spaces for
    the line breaks inside them (so offsets within a message stay put)."""
    joined = _SEPARATOR.join(texts)
    if "\r" in joined:
        joined = joined.replace("\r", " ")
    if joined.count("\n") != len(texts) - 1:
        joined = _SEPARATOR.join(
            t.replace("\n", " ") if "\n" in t else t for t in texts
        )
        joined = joined.replace("\r", " ")
    return joined.encode("utf-8", "surrogatepass")  # a lone surrogate is bytes too


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop the separators some patterns match around their evidence."""
    while start < end and text[start] in " \t[,:;":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _finding(indicator_id: str, text: str, start: int, end: int) -> Finding:
    indicator = INDICATORS[indicator_id]
    return Finding(
        indicator=indicator_id,
        severity=indicator.severity,
        start=start,
        end=end,
        evidence=text[start:end],
        explanation=indicator.explanation,
        next_step=indicator.next_step,
    )


def _without_overlaps(text: str, spans: list[Span]) -> tuple[Finding, ...]:
    """One finding per stretch of text per indicator (overlaps are merged);
    bank details win over a phone number read from the same digits.

    One sort and one sweep: spans come in order of where they start, so a
    span can only overlap the last one kept for its indicator.
    """
    ordered = sorted(spans, key=lambda s: (s[1], -s[2], s[0]))
    bank = _merged_intervals([(s, e) for i, s, e in ordered if i == "pii.bank"])
    bank_starts = [s for s, _ in bank]
    kept: list[list[int | str]] = []  # [indicator, start, end]
    last: dict[str, int] = {}  # indicator -> its last entry in kept
    for indicator, start, end in ordered:
        if indicator == "pii.phone" and _hits(bank, bank_starts, start, end):
            continue
        at = last.get(indicator)
        if at is not None and start < int(kept[at][2]):
            kept[at][2] = max(int(kept[at][2]), end)
            continue
        last[indicator] = len(kept)
        kept.append([indicator, start, end])
    return tuple(_finding(str(i), text, int(s), int(e)) for i, s, e in kept)


def _merged_intervals(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # already in order of start
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _hits(
    intervals: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> bool:
    """Whether [start, end) overlaps any of the sorted, disjoint intervals."""
    at = bisect.bisect_left(starts, end) - 1
    return at >= 0 and intervals[at][1] > start


@cache
def default_scanner() -> Scanner:
    """The scanner with every built-in rule, compiled on first use."""
    return Scanner(all_rules())


def scan(text: str) -> tuple[Finding, ...]:
    """Findings in one message, in order of where they start."""
    return default_scanner().scan(text)


def scan_many(texts: Sequence[str]) -> list[tuple[Finding, ...]]:
    """Findings for each of many messages; the fast path for imports."""
    return default_scanner().scan_many(texts)
