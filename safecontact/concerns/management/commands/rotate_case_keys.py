from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.concerns.rotation import rotate_case_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt case files with the newest key in FIELD_ENCRYPTION_KEYS. "
        "Counts only unless --apply is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Re-encrypt now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        counts = rotate_case_keys(apply=apply)
        verb = "Re-encrypted" if apply else "Still on an older key"
        for label, count in counts.items():
            self.stdout.write(f"{verb}: {count} {label}")
        if not apply and any(counts.values()):
            self.stdout.write("Dry run: run again with --apply to re-encrypt.")
