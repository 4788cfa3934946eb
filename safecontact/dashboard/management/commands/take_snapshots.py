"""Work out every organisation's compliance counts for today (run nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecontact.accounts.models import Organisation
from safecontact.dashboard.services import take_snapshot


class Command(BaseCommand):
    help = (
        "Store today's compliance counts of each organisation (what umbrella "
        "bodies see) and email an umbrella's team when a member falls below a "
        "threshold it set. Running it twice a day sends nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = Organisation.objects.count()
        for n, organisation in enumerate(Organisation.objects.order_by("pk"), 1):
            take_snapshot(organisation)
            if n % 50 == 0 or n == total:
                self.stdout.write(f"{n} of {total} organisations")
