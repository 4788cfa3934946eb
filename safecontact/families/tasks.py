"""Background work: consent request batches (``manage.py db_worker`` runs it)."""

from __future__ import annotations

import uuid

from django.tasks import task

from safecontact.families.requests import send_batch


@task
def send_consent_requests(batch: str) -> int:
    """Send what is left of one batch; safe to run again after a restart."""
    return send_batch(uuid.UUID(batch))
