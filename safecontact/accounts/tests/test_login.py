from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecontact.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_requires_login_for_home(client):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("accounts:login") in response["Location"]


def test_it_sends_a_lead_to_two_factor_setup_after_password(client, lead):
    response = client.post(
        reverse("accounts:login"), {"username": lead.username, "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    response = client.get(reverse("people:attention"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    page = client.get(response["Location"])
    assert b"Scan this code" in page.content


def test_it_confirms_a_new_device_with_a_right_code(client, lead):
    client.force_login(lead)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=lead)
    code = f"{totp(device.bin_key):06d}"
    response = client.post(
        reverse("accounts:two_factor"), {"token": code, "next": "/people/attention/"}
    )
    # Confirmed: the ten backup codes are shown once, then the user goes on.
    assert response.status_code == HTTPStatus.OK
    assert response.context["codes"] and response.context["next"] == (
        "/people/attention/"
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("people:attention")).status_code == HTTPStatus.OK


def test_it_refuses_a_wrong_code_with_a_clear_message(client, lead):
    client.force_login(lead)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"token": "000000"})
    assert response.status_code == HTTPStatus.OK
    assert b"That code is not right" in response.content


def test_a_worker_needs_no_second_step(client, worker):
    client.post(
        reverse("accounts:login"), {"username": worker.username, "password": PASSWORD}
    )
    assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_it_locks_an_account_after_repeated_failures(client, worker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": worker.username, "password": "wrong"},
        )
    response = client.post(
        reverse("accounts:login"), {"username": worker.username, "password": PASSWORD}
    )
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_worker_cannot_open_the_attention_list(client_for, worker):
    assert (
        client_for(worker).get(reverse("people:attention")).status_code
        == HTTPStatus.FORBIDDEN
    )


def test_the_session_id_changes_when_the_code_is_accepted(client, lead):
    client.post(
        reverse("accounts:login"), {"username": lead.username, "password": PASSWORD}
    )
    client.get(reverse("accounts:two_factor"))
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=lead)
    response = client.post(
        reverse("accounts:two_factor"), {"token": f"{totp(device.bin_key):06d}"}
    )
    assert response.status_code == HTTPStatus.OK  # the backup codes, shown once
    after = client.session.session_key
    assert after != before
    # The old id is worth nothing: it is not a signed-in session any more.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("accounts:api_keys")).status_code == HTTPStatus.FOUND
    assert client.get(reverse("accounts:api_keys")).status_code == HTTPStatus.OK


def test_too_many_wrong_codes_say_to_wait(client, lead):
    client.force_login(lead)
    client.get(reverse("accounts:two_factor"))
    for _ in range(3):
        response = client.post(reverse("accounts:two_factor"), {"token": "000000"})
    assert b"Too many wrong codes" in response.content


def test_logging_out_lands_on_a_page_that_says_so(client, worker):
    from safecontact.conftest import login as sign_in

    sign_in(client, worker)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:signed_out")
    assert b"You have logged out" in response.content
    assert b"Log in again" in response.content
