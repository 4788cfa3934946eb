"""Check each person's state row, and whether each of their memberships is
covered by their newest consent, against their records; rebuild with --commit.

The services keep these rows current; this is a repair, for data written
around them (a restore, a hand edit). A dry run unless --commit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.accounts.models import Organisation
from safecontact.people import services, state


class Command(BaseCommand):
    help = (
        "Compare each person's stored newest consent, DBS check and training, "
        "and whether that consent covers each of their groups, with their "
        "records. Counts only, unless --commit rebuilds them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--commit", action="store_true", help="Rebuild the rows (default: count)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        organisations = Organisation.objects.order_by("pk")
        for n, org in enumerate(organisations, 1):
            if options["commit"]:
                wrong = services.rebuild_person_states(actor=None, organisation=org)
            else:
                wrong = len(state.stale(org))
            total += wrong
            if wrong:
                self.stdout.write(f"{org}: {wrong} wrong")
            if n % 50 == 0:
                self.stdout.write(f"{n} organisations checked")
        if options["commit"]:
            self.stdout.write(f"Rebuilt; {total} row(s) were wrong.")
        else:
            self.stdout.write(f"{total} row(s) wrong.")
            if total:
                self.stdout.write("Dry run: nothing changed. Add --commit to rebuild.")
