from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.accounts import services


class Command(BaseCommand):
    help = "Create an organisation and email its first Safeguarding Lead an invitation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="Europe/London")
        parser.add_argument("--lead-email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = services.create_organisation(
                name=options["name"],
                timezone_name=options["timezone"],
                lead_email=options["lead_email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except services.AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Created {org.name}. An invitation is on its way to "
            f"{options['lead_email']}; the link works for "
            f"{services.INVITATION_DAYS} days."
        )
