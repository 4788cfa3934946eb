"""Background work for group audits: the task takes an id and calls a service."""

from __future__ import annotations

from django.tasks import task

from safecontact.audits.services import run_audit


@task()
def audit_export(audit_id: int) -> str:
    """Read one uploaded export; the audit row records its progress and result."""
    audit = run_audit(audit_id)
    return audit.status if audit is not None else "skipped"
