"""Lockout after repeated wrong passwords: by username, never by address alone.

Issue 14: locking by address let one person's typos (or one attacker) lock out
everyone behind the same address: a church hall, a school, or the whole
instance behind a proxy.
"""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from safecontact.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = b"Too many attempts"


def _login(user, password: str, **meta: Any):
    client = Client(**meta)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}
    )
    return client, response


def _fail_until_locked(user, settings, **meta: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(user, "wrong", **meta)


def test_wrong_passwords_lock_that_account_from_every_address(worker, settings):
    _fail_until_locked(worker, settings, REMOTE_ADDR="192.0.2.1")
    client, response = _login(worker, PASSWORD, REMOTE_ADDR="192.0.2.99")
    assert LOCKED in response.content
    assert "_auth_user_id" not in client.session


def test_one_persons_mistakes_do_not_lock_others_at_the_same_address(
    worker, lead, settings
):
    _fail_until_locked(worker, settings, REMOTE_ADDR="192.0.2.1")
    client, response = _login(lead, PASSWORD, REMOTE_ADDR="192.0.2.1")
    assert LOCKED not in response.content
    assert "_auth_user_id" in client.session


def test_guessing_many_usernames_from_one_address_locks_no_one_else(
    org, make_user, worker, settings
):
    for number in range(settings.AXES_FAILURE_LIMIT * 2):
        client = Client(REMOTE_ADDR="192.0.2.1")
        client.post(
            reverse("accounts:login"),
            {"username": f"guess{number}", "password": "wrong"},
        )
    client, _ = _login(worker, PASSWORD, REMOTE_ADDR="192.0.2.1")
    assert "_auth_user_id" in client.session


def test_behind_a_trusted_proxy_the_attempt_records_the_visitor(worker, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _login(
        worker,
        "wrong",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_without_a_trusted_proxy_the_header_is_ignored(worker, settings):
    _login(worker, "wrong", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "10.0.0.5"
