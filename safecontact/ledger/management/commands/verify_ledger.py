from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.accounts.models import Organisation
from safecontact.ledger.selectors import ChainStatus, Progress, verify_chain
from safecontact.ledger.services import checkpoint_ledger


class Command(BaseCommand):
    help = (
        "Check every organisation's contact log (or one, with --organisation): "
        "the hash chain, each message's fingerprint, the subject index and the "
        "newest signed checkpoint. Reports the first entry changed, deleted, "
        "moved or cut off, and signs a new checkpoint when the log holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="CODE", help="organisation code")
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="only check; do not sign a new checkpoint",
        )

    def handle(
        self,
        *args: Any,
        organisation: str | None,
        no_checkpoint: bool = False,
        **options: Any,
    ) -> None:
        broken = 0
        for org in organisations(organisation):
            if no_checkpoint:
                status = verify_chain(org, progress(self, org))
            else:
                status = checkpoint_ledger(
                    organisation=org, full=True, progress=progress(self, org)
                )
            broken += not report(self, org, status)
        if broken:
            raise CommandError(f"{broken} contact log(s) failed verification.")


PROGRESS_EVERY = 100_000


def progress(command: BaseCommand, org: Organisation) -> Progress:
    """Say how far a long check has got, every ``PROGRESS_EVERY`` entries."""
    state = {"next": PROGRESS_EVERY}

    def tell(seq: int) -> None:
        if seq >= state["next"]:
            command.stderr.write(f"{org.name}: checked up to entry {seq}...")
            state["next"] = (seq // PROGRESS_EVERY + 1) * PROGRESS_EVERY

    return tell


def report(command: BaseCommand, org: Organisation, status: ChainStatus) -> bool:
    line = f"{org.name} ({org.code}): {status.describe()}"
    if status.ok:
        command.stdout.write(command.style.SUCCESS(line))
    else:
        command.stderr.write(command.style.ERROR(line))
    return status.ok


def organisations(code: str | None) -> list[Organisation]:
    if code is None:
        return list(Organisation.objects.order_by("name", "pk"))
    try:
        return [Organisation.objects.get(code=code)]
    except (Organisation.DoesNotExist, ValidationError):
        raise CommandError(f"No organisation has the code {code!r}.") from None
