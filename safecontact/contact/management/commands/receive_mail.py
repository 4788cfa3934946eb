"""Receive replies for the organisations' inboxes with an SMTP listener."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand
from django.db import connections

from safecontact.contact.services import accepted_address, receive_inbound


def _fresh_connection[**P, R](work: Callable[P, R]) -> Callable[P, R]:
    """Close the listener thread's database connections after ``work``.

    A long-lived listener would otherwise keep one connection for ever, and
    a database restart would break every message after it. Mail arrives
    slowly enough that a new connection per message costs nothing."""

    @functools.wraps(work)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return work(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper


class InboxHandler:
    """aiosmtpd handler: accept mail for known inboxes and record every message."""

    def __init__(self, stdout: Any = None) -> None:
        self.stdout = stdout

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        # Refused at the door, the sending server tells its user: not silent.
        if not await sync_to_async(_fresh_connection(accepted_address))(address):
            return "550 No such inbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        record = await sync_to_async(_fresh_connection(receive_inbound))(
            bytes(envelope.original_content or envelope.content),
            source="smtp",
            envelope_to=tuple(envelope.rcpt_tos),
        )
        if self.stdout is not None:
            self.stdout.write(f"Received {record.code}: {record.status}")
        return "250 Message accepted"


def start_listener(host: str, port: int, stdout: Any = None) -> Controller:
    controller = Controller(
        InboxHandler(stdout),
        hostname=host,
        port=port,
        data_size_limit=6 * 1024 * 1024,
        decode_data=False,
    )
    controller.start()
    return controller


class Command(BaseCommand):
    help = "Listen for email to the organisations' inboxes (SMTP) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        controller = start_listener(host, port, self.stdout)
        self.stdout.write(f"Listening for mail on {host}:{port}. Ctrl-C to stop.")
        stop = threading.Event()
        try:
            stop.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            controller.stop()
