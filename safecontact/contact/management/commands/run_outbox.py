"""Send due emails from the outbox, retrying what fails. Runs until stopped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecontact.contact.services import deliver_due
from safecontact.lib.rounds import run_rounds


class Command(BaseCommand):
    help = "Send due messages by SMTP and retry failed ones (--once for one round)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then stop.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between rounds."
        )

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        def one_round() -> None:
            counts = deliver_due()
            if once or any(counts.values()):
                # Counts only: never addresses or message text in the log.
                self.stdout.write(
                    f"Outbox: sent {counts['sent']}, will retry {counts['retry']}, "
                    f"failed {counts['failed']}, reclaimed {counts['reclaimed']}."
                )

        run_rounds(one_round, once=once, interval=interval, stderr=self.stderr)
