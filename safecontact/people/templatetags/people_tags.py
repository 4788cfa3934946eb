"""Small display helpers for register pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@register.filter
def describe_hours(hours: Any) -> str:
    """Agreed hours as text, e.g. "Mon, Wed 18:00-20:00; every day 08:00-21:00"."""
    if not hours:
        return "none agreed"
    by_time: dict[tuple[str, str], list[int]] = {}
    for window in hours:
        by_time.setdefault((window["start"], window["end"]), []).append(window["day"])
    parts = []
    for (start, end), days in by_time.items():
        names = (
            "every day"
            if len(days) == 7
            else ", ".join(DAY_NAMES[d] for d in sorted(days))
        )
        parts.append(f"{names} {start}-{end}")
    return "; ".join(parts)
