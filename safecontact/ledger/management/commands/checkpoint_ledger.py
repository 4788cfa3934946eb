from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.ledger.management.commands.verify_ledger import (
    organisations,
    progress,
    report,
)
from safecontact.ledger.services import checkpoint_ledger


class Command(BaseCommand):
    help = (
        "Check what each organisation's contact log gained since its newest "
        "signed checkpoint and, if it holds, sign a new checkpoint into "
        "LEDGER_CHECKPOINT_DIR. Cheap: run it from cron every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="CODE", help="organisation code")

    def handle(self, *args: Any, organisation: str | None, **options: Any) -> None:
        broken = 0
        for org in organisations(organisation):
            status = checkpoint_ledger(
                organisation=org, full=False, progress=progress(self, org)
            )
            broken += not report(self, org, status)
        if broken:
            raise CommandError(f"{broken} contact log(s) failed verification.")
