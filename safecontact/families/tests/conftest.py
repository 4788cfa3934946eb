"""Families to open family pages for: reuse the contact tests' world (a
Tuesday morning, a cleared worker, real SMTP)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from safecontact.contact.tests.conftest import (  # noqa: F401
    _tuesday_morning,
    family,
    group,
    sender,
    smtp,
)
from safecontact.families.services import issue_link
from safecontact.people.models import Person

LINK = re.compile(r"http://[^\s]+/family/([A-Za-z0-9_-]+)/")


def link_for(person: Person) -> str:
    """A fresh link's path for ``person`` (as if the Lead had sent it)."""
    _, url = issue_link(actor=None, person=person)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found, "no family link in the email"
    return found.group(1)


def body_of(received: Any) -> str:
    return str(received.message.get_content())


@pytest.fixture
def mailing(django_capture_on_commit_callbacks: Any) -> Any:
    """``with mailing():`` runs the emails queued for after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
