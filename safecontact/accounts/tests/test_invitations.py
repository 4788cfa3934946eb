import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts import services
from safecontact.accounts.models import Invitation, Organisation, User
from safecontact.audittrail.models import AuditEntry
from safecontact.conftest import login
from safecontact.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

STRONG = "a long walk by the river"


def _link(mail) -> str:
    return re.search(r"http\S+/account/invitation/\S+/", mail.body).group(0)


def _path(mail) -> str:
    return "/" + _link(mail).split("/", 3)[3]


@pytest.fixture
def set_up(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organisation",
            name="St Anne's",
            timezone="Europe/London",
            lead_email="lena@example.org",
        )
    return mailoutbox


def test_create_organisation_emails_the_first_lead_an_invitation(set_up):
    org = Organisation.objects.get(name="St Anne's")
    lead = User.objects.get(email="lena@example.org")
    assert lead.organisation == org and lead.role == User.Role.LEAD
    assert not lead.is_active and not lead.has_usable_password()
    assert [m.to for m in set_up] == [["lena@example.org"]]
    assert org.purposes.exists()  # the starter list of purposes
    # Only a hash of the token is stored.
    token = _link(set_up[0]).rstrip("/").rsplit("/", 1)[1]
    assert token not in Invitation.objects.get().hashed_token


def test_create_organisation_refuses_a_duplicate_name_or_email(set_up):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_organisation", name="st anne's", lead_email="new@example.org"
        )
    with pytest.raises(CommandError, match="already has a SafeContact login"):
        call_command(
            "create_organisation", name="St Bede's", lead_email="LENA@example.org"
        )
    assert Organisation.objects.count() == 1


def test_create_organisation_refuses_an_unknown_timezone(db):
    with pytest.raises(CommandError, match="not a time zone"):
        call_command(
            "create_organisation",
            name="St Cuthbert's",
            timezone="Mars/Olympus",
            lead_email="c@example.org",
        )
    assert not Organisation.objects.exists()


def test_the_invitee_sets_a_password_and_the_lead_then_sets_up_two_factor(
    client, set_up
):
    path = _path(set_up[0])
    page = client.get(path)
    assert page.status_code == HTTPStatus.OK
    response = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("accounts:two_factor")
    lead = User.objects.get(email="lena@example.org")
    assert lead.is_active and lead.check_password(STRONG)
    # The session is not verified until the code is given.
    assert client.get(reverse("people:attention")).status_code == HTTPStatus.FOUND


def test_a_weak_password_is_refused_clearly_and_the_link_still_works(client, set_up):
    path = _path(set_up[0])
    response = client.post(
        path, {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == HTTPStatus.OK
    assert b"too common" in response.content
    assert b"error-summary" in response.content
    assert not User.objects.get(email="lena@example.org").is_active
    assert client.get(path).status_code == HTTPStatus.OK


def test_a_used_invitation_link_gets_a_page_saying_what_to_do(client, set_up):
    path = _path(set_up[0])
    client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    page = client.get(path)
    assert page.status_code == HTTPStatus.GONE
    assert b"already been used" in page.content


def test_an_expired_invitation_link_gets_a_page_saying_what_to_do(client, set_up):
    path = _path(set_up[0])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.get(path)
        assert page.status_code == HTTPStatus.GONE
        assert b"expired" in page.content
        client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert not User.objects.get(email="lena@example.org").is_active


def test_an_unknown_invitation_link_gets_a_clear_page(client, db):
    page = client.get(reverse("accounts:accept_invitation", args=["nonsense"]))
    assert page.status_code == HTTPStatus.GONE
    assert b"not one we know" in page.content


def test_the_lead_invites_a_worker_from_their_register_entry(
    client, lead, org, mailoutbox, django_capture_on_commit_callbacks
):
    person = PersonFactory.create(
        organisation=org, kind="worker", email="wes@example.org", first_name="Wes"
    )
    login(client, lead)
    assert b"Invite to log in" in client.get(person.get_absolute_url()).content
    url = reverse("accounts:invite", args=[person.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"role": "worker"})
    assert response.status_code == HTTPStatus.FOUND
    person.refresh_from_db()
    assert person.user is not None and person.user.role == User.Role.WORKER
    assert [m.to for m in mailoutbox] == [["wes@example.org"]]
    assert AuditEntry.objects.filter(model="accounts.invitation").exists()


def test_inviting_again_replaces_the_earlier_link(
    client, lead, org, mailoutbox, django_capture_on_commit_callbacks
):
    person = PersonFactory.create(
        organisation=org, kind="worker", email="w@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(actor=lead, person=person, role="worker")
        services.invite_person(actor=lead, person=person, role="worker")
    old, new = (_path(m) for m in mailoutbox)
    page = client.get(old)
    assert page.status_code == HTTPStatus.GONE
    assert b"newer invitation" in page.content
    assert client.get(new).status_code == HTTPStatus.OK


def test_a_worker_signs_up_and_needs_no_second_step(
    client, lead, org, mailoutbox, django_capture_on_commit_callbacks
):
    person = PersonFactory.create(
        organisation=org, kind="worker", email="w@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(actor=lead, person=person, role="worker")
    response = client.post(
        _path(mailoutbox[0]), {"new_password1": STRONG, "new_password2": STRONG}
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("contact:compose")).status_code == HTTPStatus.OK


def test_an_email_that_already_has_a_login_is_refused_clearly(client, lead, org):
    person = PersonFactory.create(organisation=org, kind="worker", email=lead.email)
    login(client, lead)
    response = client.post(
        reverse("accounts:invite", args=[person.code]), {"role": "worker"}
    )
    assert response.status_code == HTTPStatus.OK
    assert b"already has a SafeContact login" in response.content
    assert not Invitation.objects.exists()


def test_children_are_not_invited_to_log_in(lead, org):
    child = PersonFactory.create(organisation=org, kind="child", email="c@example.org")
    with pytest.raises(services.AccountError, match="not for"):
        services.invite_person(actor=lead, person=child, role="worker")


def test_a_worker_cannot_invite(client, worker, org):
    person = PersonFactory.create(
        organisation=org, kind="worker", email="w@example.org"
    )
    with pytest.raises(services.PermissionDenied):
        services.invite_person(actor=worker, person=person, role="worker")
