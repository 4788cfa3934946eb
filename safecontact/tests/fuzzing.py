"""Hypothesis settings shared by the fuzz tests.

`make test` runs few examples, derandomised, so CI is quick and repeatable;
`make fuzz` (FUZZ_SCALE=25) runs many more, random each time, to look further.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        # The database fixtures are shared by every example on purpose: each
        # example checks what it changed, not an empty database.
        suppress_health_check=list(HealthCheck),
    )
