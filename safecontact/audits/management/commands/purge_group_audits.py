from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.audits.services import purge_expired_audits


class Command(BaseCommand):
    help = (
        "Delete group audits past their keep-until date (AUDIT_RETENTION_DAYS), "
        "with everything read from the chat. Lists them only unless --apply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        audits = purge_expired_audits(apply=apply)
        verb = "Deleted" if apply else "Would delete"
        for audit in audits:
            self.stdout.write(f"{verb} the audit of {audit.group} ({audit.code})")
        self.stdout.write(f"{verb} {len(audits)} audit(s).")
        if audits and not apply:
            self.stdout.write("Dry run: run again with --apply to delete.")
