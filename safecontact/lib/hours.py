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
