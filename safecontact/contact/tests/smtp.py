"""A real SMTP server for the tests: aiosmtpd on a free localhost port."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Mailbox:
    """Collects everything the server accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)
            )
        )
        return "250 Message accepted for delivery"

    def for_address(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """Start, stop and restart on the same port (to test a server that is down)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mailers(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


def send(actor: Any, to: Any, **kw: Any) -> Any:
    """send_message with ordinary defaults for a youth-group email.

    ``purpose`` may be a name: the organisation's purpose of that name (made
    if missing) is used, so a name no consent allows is refused by the rules.
    """
    from safecontact.contact.services import send_message
    from safecontact.people.tests.factories import purpose_named

    args: dict[str, Any] = {
        "channel": "email",
        "purpose": purpose_named(actor.organisation),
        "subject": "Thursday",
        "body": "See you at youth club on Thursday at 7.",
    }
    args.update(kw)
    if isinstance(args["purpose"], str):
        args["purpose"] = purpose_named(actor.organisation, args["purpose"])
    return send_message(actor=actor, recipients=to, **args)


def reply_to(received: Received, sender: str, body: str, **headers: str) -> bytes:
    """A reply to ``received`` from ``sender``, as a mail client would write it."""
    original = received.message
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = headers.pop("to", str(original["Reply-To"]))
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Message-ID"] = f"<reply.{free_port()}@kids.example.org>"
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["References"] = str(original["Message-ID"])
    for name, value in headers.items():
        reply[name] = value
    reply.set_content(body)
    return reply.as_bytes()
