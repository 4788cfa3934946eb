"""Background work: consent request batches (``manage.py db_worker`` runs it)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.tasks import task

from safecontact.families.requests import enqueue, left, send_batch

# When a run sent nothing (the mail server is down, or a stopped worker's
# claims have not yet expired), the next run waits this long; after this many
# such runs in a row the batch is left for the Lead's "carry on" button.
RETRY_AFTER = dt.timedelta(minutes=1)
MOST_IDLE_RUNS = 60


@task
def send_consent_requests(batch: str, idle_runs: int = 0) -> int:
    """Send the next chunk of one batch and queue the rest; safe to run again
    after a restart (rows are claimed, and stale claims taken back)."""
    code = uuid.UUID(batch)
    sent = send_batch(code)
    if not left(code):
        return sent
    if sent:
        enqueue(code)
    elif idle_runs < MOST_IDLE_RUNS:
        enqueue(code, wait=RETRY_AFTER, idle_runs=idle_runs + 1)
    return sent
