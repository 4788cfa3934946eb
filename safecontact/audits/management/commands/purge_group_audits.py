from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from safecontact.audits.services import purge_expired_audits, stray_uploads


class Command(BaseCommand):
    help = (
        "Delete group audits past their keep-until date (AUDIT_RETENTION_DAYS), "
        "with everything read from the chat, and encrypted upload files no "
        "audit will read. Lists them only unless --apply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them now.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        strays = len(stray_uploads(timezone.now()))
        audits = purge_expired_audits(apply=apply)
        verb = "Deleted" if apply else "Would delete"
        self.stdout.write(f"{verb} {strays} upload file(s) left behind.")
        for audit in audits:
            self.stdout.write(f"{verb} the audit of {audit.group} ({audit.code})")
        self.stdout.write(f"{verb} {len(audits)} audit(s).")
        if audits and not apply:
            self.stdout.write("Dry run: run again with --apply to delete.")
