"""Background work for ``manage.py db_worker``: the services do the work."""

from __future__ import annotations

from django.tasks import task

from safecontact.notifications import scheduled, services
from safecontact.notifications.models import Notification


@task()
def send_notifications() -> dict[str, int]:
    """Send what is due now (enqueued when a notification is queued).

    When the mail server is down, the task asks to run again when the first
    row is next due, so nothing waits for cron.
    """
    counts = services.send_due()
    retry_at = (
        Notification.objects.filter(status=Notification.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if counts["retry"] and retry_at is not None:
        send_notifications.using(run_after=retry_at).enqueue()
    return dict(counts)


@task()
def run_scheduled() -> dict[str, int]:
    """The same work as ``manage.py run_scheduled``."""
    return dict(scheduled.run_scheduled())
