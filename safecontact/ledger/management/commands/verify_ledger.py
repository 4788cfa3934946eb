from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.accounts.models import Organisation
from safecontact.ledger.selectors import verify_chain


class Command(BaseCommand):
    help = (
        "Check every organisation's contact log (or one, with --organisation) and "
        "report the first entry changed, deleted or moved in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="CODE", help="organisation code")

    def handle(self, *args: Any, organisation: str | None, **options: Any) -> None:
        broken = 0
        for org in self._organisations(organisation):
            status = verify_chain(org)
            line = f"{org.name} ({org.code}): {status.describe()}"
            if status.ok:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                broken += 1
                self.stderr.write(self.style.ERROR(line))
        if broken:
            raise CommandError(f"{broken} contact log(s) failed verification.")

    def _organisations(self, code: str | None) -> list[Organisation]:
        if code is None:
            return list(Organisation.objects.order_by("name", "pk"))
        try:
            return [Organisation.objects.get(code=code)]
        except (Organisation.DoesNotExist, ValidationError):
            raise CommandError(f"No organisation has the code {code!r}.") from None
