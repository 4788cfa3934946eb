"""The learned model's reasons for a rise to high, in plain words.

With the model, a sender reaches high when their messages, read together,
lean towards grooming and a finding gives evidence (``risk.Thresholds``). A
lean is a number, and a number tells a Lead nothing about what to look at;
so an alert says how strongly the messages leaned, which of their words
pushed the reading most, and what the findings added.
"""

from __future__ import annotations

from collections.abc import Sequence

from safeguarding.screening.model import RiskModel
from safeguarding.screening.risk import RiskEvent, Thresholds

TOP_WORDS = 5
# Lean bands: the lean is a mean of clipped log-odds (-3 to 3); half of all
# offenders in the evaluation lean above about 0.5, nine decoys in ten below
# -0.5 (docs/screening.md).
STRONG = 1.0
CLEAR = 0.3


def how_strongly(lean: float) -> str:
    """The lean in a word: "strongly", "clearly", "slightly" or "not"."""
    if lean >= STRONG:
        return "strongly"
    if lean >= CLEAR:
        return "clearly"
    return "slightly" if lean > 0 else "not"


def words_that_raised(
    texts: Sequence[str], model: RiskModel, top: int = TOP_WORDS
) -> tuple[str, ...]:
    """The words (or word pairs) that raised these messages' scores most,
    summed over the messages; only words that raised a score."""
    totals: dict[str, float] = {}
    for text in texts:
        for word, weight in model.explain(text, top=top):
            totals[word] = totals.get(word, 0.0) + weight
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return tuple(word for word, _ in ranked[:top])


def model_reasons(
    event: RiskEvent,
    texts: Sequence[str],
    model: RiskModel | None,
    thresholds: Thresholds | None = None,
) -> tuple[str, ...]:
    """Why ``event`` (a rise read over ``texts``, the sender's messages
    oldest first) reached its level, in sentences a volunteer can follow."""
    t = thresholds or Thresholds()
    if event.lean is None or model is None:
        return (
            f"The word lists alone raised this level: a harm stage, "
            f"{event.score:g} points (high needs {t.high:g}) and at least "
            f"{t.high_stages} kinds of grooming indicator.",
        )
    how = how_strongly(event.lean)
    if how == "not":
        read = (
            f"Read together, these {len(texts)} messages do not lean towards "
            "grooming to the learned model; the findings raised the level."
        )
    else:
        read = (
            f"Read together, these {len(texts)} messages read {how} more like "
            "an adult steering a child than like a child or an ordinary chat "
            "(the learned model's reading)."
        )
    reasons = [read]
    words = words_that_raised(texts, model) if how != "not" else ()
    if words:
        quoted = ", ".join(f"\u201c{w}\u201d" for w in words)
        reasons.append(f"The words that pushed that reading most: {quoted}.")
    total = t.lean_weight * event.lean + event.score
    reasons.append(
        f"The findings add {event.score:g} points. With the model's reading, "
        f"high needs a grooming finding and {t.assisted_high:g} in all "
        f"({t.lean_weight:g} \u00d7 lean {event.lean:.2f} + {event.score:g} "
        f"points = {total:.1f}); without it, a harm stage, {t.high:g} points "
        f"and {t.high_stages} kinds of grooming indicator."
    )
    return tuple(reasons)
