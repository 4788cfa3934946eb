"""Send due emails from the outbox, retrying what fails. Runs until stopped.

Run as many as you like side by side (on PostgreSQL): each email is claimed by
one process before it is sent. See docs/delivery.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecontact.contact.services import deliver_due
from safecontact.contact.services.delivery import CLAIM_LEASE
from safecontact.lib.rounds import run_rounds


class Command(BaseCommand):
    help = "Send due messages by SMTP and retry failed ones (--once for one round)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then stop.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between rounds."
        )
        parser.add_argument(
            "--claim-lease",
            type=float,
            default=CLAIM_LEASE.total_seconds(),
            help="Seconds after which an email left 'sending' by a process that "
            "died is sent again (with the same Message-ID). Keep it well above "
            "the time one email takes to send.",
        )

    def handle(
        self,
        *args: Any,
        once: bool,
        interval: float,
        claim_lease: float,
        **options: Any,
    ) -> None:
        if claim_lease <= 0:
            raise CommandError("--claim-lease must be a positive number of seconds.")
        lease = dt.timedelta(seconds=claim_lease)

        def one_round() -> None:
            counts = deliver_due(lease=lease)
            if once or any(counts.values()):
                # Counts only: never addresses or message text in the log.
                self.stdout.write(
                    f"Outbox: sent {counts['sent']}, will retry {counts['retry']}, "
                    f"failed {counts['failed']}, reclaimed {counts['reclaimed']}."
                )

        run_rounds(one_round, once=once, interval=interval, stderr=self.stderr)
