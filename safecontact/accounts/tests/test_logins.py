import base64
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecontact.accounts import services
from safecontact.accounts.models import User
from safecontact.accounts.tests.factories import PASSWORD
from safecontact.audittrail.models import AuditEntry
from safecontact.conftest import login

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, user: User) -> None:
    client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )


def test_a_deactivated_login_stops_working_at_once(client, lead, worker):
    login(client, worker)
    _, raw = services.create_api_key(actor=worker, name="script")
    assert client.get(reverse("contact:compose")).status_code == HTTPStatus.OK
    other = login(Client(), lead)
    response = other.post(
        reverse("accounts:set_active", args=[worker.code]), {"active": "no"}
    )
    assert response.status_code == HTTPStatus.FOUND
    # The open session and the API key both stop.
    assert client.get(reverse("contact:compose")).status_code == HTTPStatus.FOUND
    api = Client().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == HTTPStatus.UNAUTHORIZED
    entry = AuditEntry.objects.filter(model="accounts.user", actor=lead).latest("id")
    assert entry.before and entry.after
    assert entry.before["is_active"] is True and entry.after["is_active"] is False


def test_a_reactivated_login_works_again(client, lead, worker):
    services.set_login_active(actor=lead, user=worker, active=False)
    services.set_login_active(actor=lead, user=worker, active=True)
    _sign_in(client, worker)
    assert client.get(reverse("contact:compose")).status_code == HTTPStatus.OK


def test_changing_a_role_is_audited(client, lead, worker):
    login(client, lead)
    client.post(reverse("accounts:change_role", args=[worker.code]), {"role": "deputy"})
    worker.refresh_from_db()
    assert worker.role == User.Role.DEPUTY
    entry = AuditEntry.objects.filter(model="accounts.user", actor=lead).latest("id")
    assert entry.before and entry.after
    assert (entry.before["role"], entry.after["role"]) == ("worker", "deputy")


def test_the_last_active_lead_cannot_be_demoted_or_deactivated(client, lead):
    login(client, lead)
    response = client.post(
        reverse("accounts:change_role", args=[lead.code]),
        {"role": "worker"},
        follow=True,
    )
    assert b"only active Safeguarding Lead" in response.content
    with pytest.raises(services.AccountError, match="only active"):
        services.set_login_active(actor=lead, user=lead, active=False)
    lead.refresh_from_db()
    assert lead.role == User.Role.LEAD and lead.is_active


def test_a_deputy_cannot_demote_the_lead(lead, deputy, make_user, org):
    make_user("lead", org)
    with pytest.raises(services.PermissionDenied):
        services.change_role(actor=deputy, user=lead, role="worker")


def test_another_lead_resets_a_lost_device_and_the_user_sets_up_again(
    client, lead, deputy
):
    login(client, deputy)
    services.new_backup_codes(user=deputy)
    other = login(Client(), lead)
    response = other.post(reverse("accounts:reset_two_factor", args=[deputy.code]))
    assert response.status_code == HTTPStatus.FOUND
    assert not TOTPDevice.objects.filter(user=deputy).exists()
    assert not StaticToken.objects.filter(device__user=deputy).exists()
    # Their session ended; at the next sign-in they set up the app again.
    assert client.get(reverse("people:attention")).status_code == HTTPStatus.FOUND
    _sign_in(client, deputy)
    page = client.get(reverse("accounts:two_factor"))
    assert b"Scan this code" in page.content
    assert AuditEntry.objects.filter(
        model="accounts.user", actor=lead, after__two_step_check__startswith="reset"
    ).exists()


def test_nobody_resets_their_own_device(lead):
    with pytest.raises(services.PermissionDenied):
        services.reset_two_factor(actor=lead, user=lead)


def test_the_setup_key_is_base32_and_works_in_an_authenticator(client, lead):
    _sign_in(client, lead)
    page = client.get(reverse("accounts:two_factor"))
    secret = page.context["secret"]
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=")
    assert b"<svg" in page.content
    key = base64.b32decode(secret)
    response = client.post(
        reverse("accounts:two_factor"), {"token": f"{totp(key):06d}"}
    )
    assert len(response.context["codes"]) == 10


def test_a_backup_code_signs_in_once(client, lead):
    login(Client(), lead)  # a confirmed device
    codes = services.new_backup_codes(user=lead)
    _sign_in(client, lead)
    response = client.post(reverse("accounts:two_factor"), {"token": codes[0]})
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("people:attention")).status_code == HTTPStatus.OK
    again = Client()
    _sign_in(again, lead)
    response = again.post(reverse("accounts:two_factor"), {"token": codes[0]})
    assert b"That code is not right" in response.content


def test_generating_new_backup_codes_stops_the_old_ones(client, lead):
    login(client, lead)
    old = services.new_backup_codes(user=lead)
    page = client.post(reverse("accounts:backup_codes"))
    new = page.context["codes"]
    assert len(new) == 10 and not set(old) & set(new)
    assert StaticToken.objects.filter(device__user=lead).count() == 10
