"""Load the demonstration organisation. Running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecontact.demo import register as demo


class Command(BaseCommand):
    help = "Load St Mary's Community Church, a demo organisation (safe to rerun)."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = demo.load_register()
        for hook in demo.run_hooks(loaded.organisation):
            self.stdout.write(f"Loaded demo data from {hook}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo organisation ready: {loaded.organisation}")
        )
        self.stdout.write(
            "\nOpen http://127.0.0.1:8000 and log in with one of these usernames:\n"
            "  lead     Safeguarding Lead (start here)\n"
            "  deputy   Deputy Safeguarding Lead\n"
            "  trustee  Trustee\n"
            "  worker   Volunteer youth leader (Sam)\n"
            "  grace    Staff youth worker\n"
            f"Password for all of them: {loaded.password}\n"
            "The Lead, deputy and trustee set up two-factor authentication at their "
            "first login: scan the QR code with an authenticator app."
        )
