"""Plain words for a worker whose message the scanner held."""

from __future__ import annotations

from django import template

from safeguarding.screening import ScreeningError, get_indicator

register = template.Library()

# What the writer can do themselves, by the kind of finding.
WORKER_FIX = {
    "grooming": (
        "Take these words out and say it another way. Messages from the "
        "organisation are open and kept on its own channels: never secret, "
        "never moved to a private app."
    ),
    "peer": (
        "If you are passing on what someone else said, tell your Safeguarding "
        "Lead instead of putting it in a message."
    ),
    "wellbeing": (
        "If you are worried about someone, report a concern now rather than "
        "writing about it in a message."
    ),
    "pii": (
        "Remove the personal details (numbers, addresses, handles, links). "
        "Share them another way only if they are really needed."
    ),
}
DEFAULT_FIX = "Change or remove these words, then check the message again."


@register.filter
def finding_kind(indicator: str) -> str:
    try:
        return get_indicator(indicator).title
    except (ScreeningError, KeyError):
        return "Something the scanner looks for"


@register.filter
def worker_fix(indicator: str) -> str:
    try:
        family = get_indicator(indicator).family
    except (ScreeningError, KeyError):
        return DEFAULT_FIX
    return WORKER_FIX.get(family, DEFAULT_FIX)
