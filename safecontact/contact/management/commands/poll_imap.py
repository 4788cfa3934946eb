"""Fetch replies from an IMAP mailbox (the alternative to receive_mail)."""

from __future__ import annotations

import imaplib
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecontact.contact.services import receive_inbound
from safecontact.lib.rounds import run_rounds


def fetch_unseen(client: imaplib.IMAP4, mailbox: str) -> list[tuple[bytes, bytes]]:
    client.select(mailbox)
    status, data = client.search(None, "UNSEEN")
    if status != "OK":
        raise CommandError(f"The IMAP server would not search {mailbox}.")
    found = []
    for number in data[0].split():
        status, parts = client.fetch(number, "(BODY.PEEK[])")
        if status == "OK" and parts and isinstance(parts[0], tuple):
            found.append((number, parts[0][1]))
    return found


class Command(BaseCommand):
    help = (
        "Fetch unread mail from IMAP and record it; every message is marked read "
        "only after it is stored. Password from --password or IMAP_PASSWORD."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("IMAP_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("IMAP_PORT", "993"))
        )
        parser.add_argument("--user", default=os.environ.get("IMAP_USER", ""))
        parser.add_argument("--password", default=os.environ.get("IMAP_PASSWORD", ""))
        parser.add_argument("--mailbox", default="INBOX")
        parser.add_argument("--no-ssl", action="store_true")
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=60.0)

    def handle(self, *args: Any, **o: Any) -> None:
        if not o["user"] or not o["password"]:
            raise CommandError(
                "Give --user and --password (or IMAP_USER/IMAP_PASSWORD)."
            )
        run_rounds(
            lambda: self._poll(o),
            once=o["once"],
            interval=o["interval"],
            stderr=self.stderr,
        )

    def _poll(self, o: dict[str, Any]) -> None:
        cls = imaplib.IMAP4 if o["no_ssl"] else imaplib.IMAP4_SSL
        try:
            client = cls(o["host"], o["port"])
            client.login(o["user"], o["password"])
        except (OSError, imaplib.IMAP4.error) as exc:
            self.stderr.write(f"Could not log in to {o['host']}: {type(exc).__name__}")
            return
        try:
            messages = fetch_unseen(client, o["mailbox"])
            for number, raw in messages:
                record = receive_inbound(raw, source="imap")
                client.store(number.decode(), "+FLAGS", "\\Seen")
                self.stdout.write(f"Received {record.code}: {record.status}")
            self.stdout.write(f"IMAP: {len(messages)} new message(s).")
        finally:
            client.logout()
