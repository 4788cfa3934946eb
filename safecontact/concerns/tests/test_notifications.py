"""Emails to the Lead say something needs attention, never what it is (real SMTP)."""

from __future__ import annotations

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from safecontact.concerns.tests.factories import NARRATIVE, make_case

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


def test_the_notification_contains_no_content_only_a_link(
    org, lead, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            org,
            anonymous=False,
            reporter_name="Robin Reporter",
            reporter_contact="robin@example.org",
            about_description="Zed",
        )
    for _ in range(50):
        if smtp_inbox.messages:
            break
        time.sleep(0.05)
    (message,) = smtp_inbox.messages
    body = message.get_payload(decode=True).decode()
    whole = message.as_string()
    assert message["To"] == lead.email
    assert message["Subject"] == "A safeguarding concern needs your attention"
    assert case.get_absolute_url() in body
    for secret in (NARRATIVE[:20], "games chat", "Robin", "robin@", "Zed"):
        assert secret not in whole


def test_a_mail_server_that_is_down_does_not_lose_the_concern(
    org, lead, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org)
    assert case.pk is not None
