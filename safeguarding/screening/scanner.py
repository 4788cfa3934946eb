"""Scan messages for risk indicators and personal details.

The fast path compiles every rule into one Hyperscan database, joins a batch
of messages into one buffer (newline between messages, newlines inside a
message turned into spaces so offsets stay put) and scans it in one call.
Hyperscan only says which rule matched in which message; Python's ``re``
then finds the exact spans in that message alone and the validators in
``pii.py`` keep only real personal details. Most messages match nothing, so
almost all the work happens in compiled code.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import hyperscan
import numpy as np

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.findings import Finding
from safeguarding.screening.indicators import INDICATORS
from safeguarding.screening.pii import CHECKS, phone_span
from safeguarding.screening.rules import Rule, all_rules

_SEPARATOR = "\n"
_INNER_BREAKS = str.maketrans({"\n": " ", "\r": " "})


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    regex: re.Pattern[str]
    check: Callable[[str, str], bool] | None


class Scanner:
    """A compiled set of rules; build once, scan many batches."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(_compile_rule(rule) for rule in rules)
        self._database = _compile_database(rules)
        # Hyperscan scratch space serves one scan at a time: each thread
        # scans with its own clone of the database's prototype scratch.
        self._local = threading.local()

    def scan(self, text: str) -> tuple[Finding, ...]:
        return self.scan_many([text])[0]

    def scan_many(self, texts: Sequence[str]) -> list[tuple[Finding, ...]]:
        """Findings for each text, in order; one Hyperscan call for the batch."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise ScreeningError(f"message {index} is not text")
        results: list[tuple[Finding, ...]] = [()] * len(texts)
        for index, rule_ids in self._candidates(texts).items():
            text = texts[index]
            clean = text.translate(_INNER_BREAKS)
            results[index] = self._confirm(text, clean, rule_ids)
        return results

    def _candidates(self, texts: Sequence[str]) -> dict[int, set[int]]:
        buffer = _joined(texts)
        # Separators are the only newlines left, so a match's message is the
        # number of separators before it.
        separators = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 10)
        hits: list[tuple[int, int]] = []

        def on_match(rule_id: int, _from: int, to: int, _f: int, _c: object) -> None:
            hits.append((rule_id, to))

        self._database.scan(
            buffer, match_event_handler=on_match, scratch=self._scratch()
        )
        found: dict[int, set[int]] = {}
        if not hits:
            return found
        ends = np.fromiter((to - 1 for _, to in hits), dtype=np.int64, count=len(hits))
        owners = np.searchsorted(separators, ends, side="right").tolist()
        for (rule_id, _), owner in zip(hits, owners, strict=True):
            found.setdefault(owner, set()).add(rule_id)
        return found

    def _scratch(self) -> hyperscan.Scratch:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._database.scratch.clone()
        return scratch

    def _confirm(
        self, text: str, clean: str, rule_ids: set[int]
    ) -> tuple[Finding, ...]:
        findings: list[Finding] = []
        for rule_id in sorted(rule_ids):
            compiled = self._rules[rule_id]
            for match in compiled.regex.finditer(clean):
                start, end = _trim(clean, match.start(), match.end())
                if compiled.rule.check == "phone":
                    span = phone_span(clean[start:end], clean)
                    if span is None:
                        continue
                    start, end = start + span[0], start + span[1]
                elif compiled.check and not compiled.check(clean[start:end], clean):
                    continue
                findings.append(_finding(compiled.rule.indicator, text, start, end))
        return _without_overlaps(findings)


def _compile_rule(rule: Rule) -> _Compiled:
    flags = re.ASCII | re.MULTILINE | (re.IGNORECASE if rule.caseless else 0)
    check = CHECKS[rule.check] if rule.check else None
    return _Compiled(rule, re.compile(rule.pattern, flags), check)


def _compile_database(rules: Sequence[Rule]) -> hyperscan.Database:
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
    return joined.encode("utf-8")


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


def _without_overlaps(findings: list[Finding]) -> tuple[Finding, ...]:
    """One finding per stretch of text per indicator (overlaps are merged);
    bank details win over a phone number read from the same digits."""
    kept: list[Finding] = []
    bank = [f for f in findings if f.indicator == "pii.bank"]
    for finding in sorted(findings, key=lambda f: (f.start, -f.end, f.indicator)):
        if finding.indicator == "pii.phone" and any(
            _overlaps(finding, b) for b in bank
        ):
            continue
        for i, k in enumerate(kept):
            if k.indicator == finding.indicator and _overlaps(k, finding):
                kept[i] = _merged(k, finding)
                break
        else:
            kept.append(finding)
    return tuple(kept)


def _merged(first: Finding, second: Finding) -> Finding:
    end = max(first.end, second.end)
    evidence = first.evidence + second.evidence[first.end - second.start :]
    return replace(first, end=end, evidence=evidence[: end - first.start])


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


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
