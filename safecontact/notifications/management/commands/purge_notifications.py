from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.notifications.services import purge_notifications


class Command(BaseCommand):
    help = (
        "Delete sent, digested and failed notification emails older than each "
        "organisation's period (Settings: days notification emails are kept). "
        "Lists how many only unless --apply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        counts = purge_notifications(apply=apply)
        verb = "Deleted" if apply else "Would delete"
        for name, count in counts.items():
            self.stdout.write(f"{verb} {count} of {name or 'no organisation'}.")
        self.stdout.write(f"{verb} {sum(counts.values())} notification(s).")
        if counts and not apply:
            self.stdout.write("Dry run: run again with --apply to delete.")
