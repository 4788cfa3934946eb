"""Apply leaving to workers whose end date has passed. A dry run unless --commit.

Run it daily (cron or a systemd timer): a worker whose end date passes
without the Lead ending them on the page is taken out of every group and
their login switched off. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecontact.accounts.models import Organisation
from safecontact.people import services


class Command(BaseCommand):
    help = (
        "Take workers whose end date has passed out of their groups and switch "
        "off their logins. Lists them only, unless --commit is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--commit", action="store_true", help="Make the changes (default: list)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        commit = options["commit"]
        total = 0
        for org in Organisation.objects.order_by("name", "pk"):
            for person, groups, login_on in services.apply_leavers(
                organisation=org, commit=commit
            ):
                total += 1
                left = person.worker.end_date
                login = "; login switched off" if login_on else ""
                self.stdout.write(
                    f"{org}: {person} (left {left:%d %B %Y}): "
                    f"out of {groups} group(s){login}."
                )
        verb = "Applied leaving to" if commit else "Would apply leaving to"
        self.stdout.write(f"{verb} {total} worker(s).")
        if total and not commit:
            self.stdout.write("Dry run: nothing changed. Add --commit to apply.")
