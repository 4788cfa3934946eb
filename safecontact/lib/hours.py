"""Agreed hours as the register stores them: a list of weekly windows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_hours(hours: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Agreed hours as [{"day": 0-6, "start": "HH:MM", "end": "HH:MM"}]."""
    clean = []
    for window in hours:
        day, start, end = window.get("day"), window.get("start"), window.get("end")
        if not isinstance(day, int) or not 0 <= day <= 6:
            raise ValidationError({"hours": "Each day must be Monday to Sunday."})
        if not (isinstance(start, str) and TIME.match(start)):
            raise ValidationError({"hours": "Times must look like 18:30."})
        if not (isinstance(end, str) and TIME.match(end)) or start == end:
            raise ValidationError(
                {"hours": "Each time must have an end different from its start."}
            )
        clean.append({"day": day, "start": start, "end": end})
    return clean


def validate_default_hours(hours: Sequence[dict[str, Any]]) -> None:
    """An organisation's default agreed hours: each window ends after it
    starts on the same day (contact does not run past midnight by default)."""
    if not isinstance(hours, list):
        raise ValidationError("Agreed hours must be a list of days and times.")
    try:
        clean = validate_hours(hours)
    except ValidationError as exc:  # keyed by "hours": a field wants the words
        raise ValidationError(exc.messages) from None
    for window in clean:
        if window["end"] <= window["start"]:
            raise ValidationError(
                "The end time must be after the start time, on the same day."
            )


def window_initial(hours: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Form values (days, start, end) for stored hours; the first window's
    times stand for all (the forms set one time range for the chosen days)."""
    if not hours:
        return {}
    return {
        "days": sorted({w["day"] for w in hours}),
        "start": hours[0]["start"],
        "end": hours[0]["end"],
    }


def windows(days: Sequence[int], start: str, end: str) -> list[dict[str, Any]]:
    """Stored hours for the same times on each of ``days``."""
    return [{"day": d, "start": start, "end": end} for d in sorted(set(days))]
