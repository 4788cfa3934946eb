from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.audits.sealed import SealError
from safecontact.concerns.rotation import rotate_case_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt case files, group audits and uploads waiting for their "
        "audit with the newest key in FIELD_ENCRYPTION_KEYS. Counts only "
        "unless --apply is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Re-encrypt now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        try:
            counts = rotate_case_keys(apply=apply)
        except SealError as error:
            raise CommandError(
                f"{error}. Nothing in the database was re-encrypted. That audit "
                "cannot read its upload either: let it run and fail (the Lead "
                "uploads the export again), then run this again. Keep the old "
                "keys until it reports nothing left on them."
            ) from error
        verb = "Re-encrypted" if apply else "Still on an older key"
        for label, count in counts.items():
            self.stdout.write(f"{verb}: {count} {label}")
        if not apply and any(counts.values()):
            self.stdout.write("Dry run: run again with --apply to re-encrypt.")
