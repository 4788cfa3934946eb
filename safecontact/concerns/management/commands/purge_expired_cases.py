from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.concerns.services import purge_expired_cases


class Command(BaseCommand):
    help = (
        "Delete closed cases past their retention period (see concerns/retention.py), "
        "leaving a tombstone for each. Lists them only unless --apply is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        references = purge_expired_cases(apply=apply)
        verb = "Deleted" if apply else "Would delete"
        for reference in references:
            self.stdout.write(f"{verb} {reference}")
        self.stdout.write(f"{verb} {len(references)} case(s).")
        if references and not apply:
            self.stdout.write("Dry run: run again with --apply to delete.")
