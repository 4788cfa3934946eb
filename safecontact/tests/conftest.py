"""An API client acting as a Safeguarding Lead who has set up two-factor sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from safecontact.accounts.models import User
from safecontact.accounts.services import create_api_key
from safecontact.accounts.tests.factories import confirmed_totp_device


@pytest.fixture
def lead_key(lead: User) -> str:
    confirmed_totp_device(lead)
    _, raw = create_api_key(actor=lead, name="Fuzzing")
    return raw


@pytest.fixture
def api(lead_key: str) -> Client:
    # A 500 comes back as a response (as a real client sees it), not raised.
    return Client(
        raise_request_exception=False,
        headers={"Authorization": f"Bearer {lead_key}"},
    )
