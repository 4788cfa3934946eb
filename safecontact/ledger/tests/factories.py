from __future__ import annotations

from typing import Any

from safecontact.accounts.models import Organisation
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import append_entry


def make_entries(
    organisation: Organisation, count: int, **kw: Any
) -> list[LedgerEntry]:
    """``count`` synthetic message attempts appended through the service."""
    kw.setdefault("kind", "message.attempt")
    extra = kw.pop("content", {})
    return [
        append_entry(
            organisation=organisation,
            content={"decision": "allow", "n": n, **extra},
            **kw,
        )
        for n in range(1, count + 1)
    ]
