"""Import people from a CSV export. Checks only, unless --commit is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from safecontact.accounts.models import Organisation, User
from safecontact.lib.dates import org_today
from safecontact.people import imports


class Command(BaseCommand):
    help = "Check (and with --commit, import) people from a CSV export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation", required=True, help="Organisation name or code"
        )
        parser.add_argument(
            "--as", dest="username", help="The Lead's username (default: the Lead)"
        )
        parser.add_argument("--commit", action="store_true", help="Write the rows")

    def handle(self, *args: Any, **options: Any) -> None:
        org = _organisation(options["organisation"])
        actor = _actor(org, options["username"])
        try:
            data = options["file"].read_bytes()
            parsed = imports.parse_people_csv(
                data, organisation=org, today=org_today(org)
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from None
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for row in parsed.bad:
            self.stdout.write(f"Line {row.line}: {' '.join(row.errors)}")
        self.stdout.write(
            f"{len(parsed.good)} rows can be imported, {len(parsed.bad)} have errors."
        )
        if not options["commit"]:
            self.stdout.write("Dry run: nothing saved. Add --commit to import.")
            return
        result = imports.import_people(
            actor=actor, organisation=org, parsed=parsed, progress=self._progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.created}, updated {result.updated}, linked "
                f"{result.linked} parents; {len(result.failed)} rows not imported."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            self.stdout.write(f"Imported {done} of {total}")


def _organisation(name_or_code: str) -> Organisation:
    query = Q(name=name_or_code)
    if len(name_or_code) == 36:
        query |= Q(code=name_or_code)
    found = Organisation.objects.filter(query).first()
    if found is None:
        raise CommandError(f"No organisation called {name_or_code}.")
    return found


def _actor(org: Organisation, username: str | None) -> User:
    users = User.objects.filter(organisation=org, role__in=["lead", "deputy"])
    user = (
        (users.filter(username=username) if username else users).order_by("pk").first()
    )
    if user is None:
        raise CommandError("The import is made as the Lead or deputy: none found.")
    return user
