from typing import Any

from django.core.management.base import BaseCommand

from safecontact.notifications.scheduled import run_scheduled


class Command(BaseCommand):
    help = (
        "Run the scheduled work once: apply leavers whose end date has passed, "
        "queue DBS and training reminders, the attention-list digest and daily "
        "digests, then send due notifications. Idempotent; run it from cron "
        "(e.g. every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = run_scheduled()
        for name, count in sorted(counts.items()):
            self.stdout.write(f"{name}: {count}")
