"""Background work for the contact log: the task takes an id and calls a service."""

from __future__ import annotations

from django.tasks import task

from safecontact.ledger.services import run_chain_check


@task()
def check_chain(check_id: int) -> str:
    """Check one organisation's whole log; the row records progress and result."""
    check = run_chain_check(check_id)
    return check.status if check is not None else "skipped"
