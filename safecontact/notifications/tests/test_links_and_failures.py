"""Invitations and password resets go through the notifications queue, with a
real SMTP server that is down and then up; failures are listed for the Lead,
who can try them again."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts import services as accounts
from safecontact.audittrail.models import AuditEntry
from safecontact.conftest import login
from safecontact.contact.tests.smtp import Mailbox
from safecontact.notifications import services
from safecontact.notifications.models import Notification
from safecontact.notifications.scheduled import run_scheduled
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
Status = Notification.Status
STRONG = "a long walk by the river"


def _link(received) -> str:
    body = received.message.get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def _invite(lead, org, capture, email: str = "wes@example.org"):
    person = WorkerFactory.create(organisation=org, email=email)
    with capture(execute=True):
        accounts.invite_person(actor=lead, person=person, role="worker")
    return person


def _stored_secret(row: Notification) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM notifications_notification WHERE id = %s", [row.pk]
        )
        return str(cursor.fetchone()[0])


def test_an_invitation_waits_while_the_mail_server_is_down_and_goes_when_it_is_up(
    client, lead, org, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    _invite(lead, org, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind=Kind.INVITATION)
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.last_error == "The mail server could not be reached."
    # The link waits encrypted: the database never holds it in the clear.
    assert row.secret.startswith("/account/invitation/")
    assert row.secret not in _stored_secret(row)

    smtp.start()
    run_scheduled(now=timezone.now() + dt.timedelta(minutes=1))
    [mail] = smtp.mailbox.for_address("wes@example.org")
    assert mail.message["Subject"] == f"Set up your SafeContact login for {org.name}"
    row.refresh_from_db()
    assert row.status == Status.SENT and row.secret == ""
    # Running the job again sends nothing twice.
    run_scheduled(now=timezone.now() + dt.timedelta(minutes=2))
    assert len(smtp.mailbox.for_address("wes@example.org")) == 1
    # The link in the email works.
    page = client.post(_link(mail), {"new_password1": STRONG, "new_password2": STRONG})
    assert page.status_code == HTTPStatus.FOUND


def test_a_password_reset_waits_while_the_mail_server_is_down(
    client, worker, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"), {"email": worker.email}
        )
    # The person sees the usual page; nothing is lost.
    assert response["Location"] == reverse("accounts:password_reset_done")
    row = Notification.objects.get(kind=Kind.PASSWORD_RESET, recipient=worker)
    assert row.status == Status.PENDING and row.attempts == 1

    smtp.start()
    run_scheduled(now=timezone.now() + dt.timedelta(minutes=1))
    [mail] = smtp.mailbox.for_address(worker.email)
    assert mail.message["Subject"] == "Reset your SafeContact password"
    form = client.get(_link(mail), follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    worker.refresh_from_db()
    assert worker.check_password(STRONG)


class Refusing(Mailbox):
    """A mail server that has no mailbox for addresses starting "gone"."""

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("gone"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing(smtp):
    smtp.stop()
    smtp.mailbox = Refusing()
    smtp.start()
    return smtp


def test_an_address_the_server_refuses_fails_at_once_and_is_listed_for_the_lead(
    client, lead, deputy, org, refusing, django_capture_on_commit_callbacks
):
    person = _invite(lead, org, django_capture_on_commit_callbacks, "gone@example.org")
    row = Notification.objects.get(kind=Kind.INVITATION)
    assert row.status == Status.FAILED and row.attempts == 1
    login(client, deputy)
    page = client.get(reverse("notifications:failures"))
    text = page.content.decode()
    assert str(person) in text and "Worker or volunteer" in text
    assert "An invitation to set up a login" in text
    assert "The mail server refused the address. Check the address is right." in text
    assert "gone@example.org" not in text and "Refused" not in text


def test_the_lead_tries_a_failed_email_again_and_it_is_audited(
    client, lead, org, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    _invite(lead, org, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind=Kind.INVITATION)
    Notification.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=30)
    smtp.start()
    login(client, lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:retry", args=[row.code]))
    assert response["Location"] == reverse("notifications:failures")
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(smtp.mailbox.for_address("wes@example.org")) == 1
    entry = AuditEntry.objects.get(model="notifications.notification")
    assert entry.actor == lead and entry.action == "update"
    # Trying again what is no longer failed changes nothing.
    again = client.post(reverse("notifications:retry", args=[row.code]), follow=True)
    assert b"already being tried again" in again.content
    assert AuditEntry.objects.filter(model="notifications.notification").count() == 1


def test_a_dead_link_is_not_offered_again(client, lead, org, worker):
    row = Notification.objects.create(
        organisation=org,
        recipient=worker,
        kind=Kind.PASSWORD_RESET,
        key="password_reset:old",
        link="",
        secret="/account/password-reset/x/y/",
        status=Status.FAILED,
        attempts=30,
        last_error="The mail server could not be reached.",
        created_at=timezone.now() - dt.timedelta(days=4),
    )
    login(client, lead)
    page = client.get(reverse("notifications:failures"))
    assert b"they can ask for a new one" in page.content
    assert reverse("notifications:retry", args=[row.code]).encode() not in page.content
    response = client.post(reverse("notifications:retry", args=[row.code]), follow=True)
    assert b"The link has expired" in response.content
    row.refresh_from_db()
    assert row.status == Status.FAILED


def _failed(org, recipient, kind=Kind.HELD, n: int = 0) -> Notification:
    return Notification.objects.create(
        organisation=org,
        recipient=recipient,
        kind=kind,
        key=f"{kind}:{n}:{recipient.pk}",
        link="/",
        status=Status.FAILED,
        attempts=30,
        last_error="The mail server could not be reached.",
    )


def test_another_persons_concern_email_is_not_listed(client, lead, deputy, org):
    # The concern may be about the deputy: only its recipient sees it failed.
    _failed(org, lead, Kind.CONCERN)
    login(client, deputy)
    page = client.get(reverse("notifications:failures"))
    assert b"A new concern" not in page.content
    login(client, lead)
    page = client.get(reverse("notifications:failures"))
    assert b"A new concern" in page.content


def test_another_organisations_failure_is_not_found(client, lead, other_org, make_user):
    outsider = make_user("lead", other_org)
    row = _failed(other_org, outsider)
    login(client, lead)
    page = client.get(reverse("notifications:failures"))
    assert str(outsider).encode() not in page.content
    response = client.post(reverse("notifications:retry", args=[row.code]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_worker_may_not_see_failures(client, worker):
    login(client, worker)
    page = client.get(reverse("notifications:failures"))
    assert page.status_code == HTTPStatus.FORBIDDEN


def test_the_failures_page_is_paginated_and_the_queue_counts_them(
    client, lead, org, django_assert_max_num_queries
):
    from safecontact.notifications.selectors import queue_counts

    for n in range(30):
        _failed(org, lead, n=n)
    login(client, lead)
    first = client.get(reverse("notifications:failures"))
    assert len(first.context["rows"]) == 25
    assert b"Page 1 of 2" in first.content
    second = client.get(reverse("notifications:failures"), {"page": 2})
    assert len(second.context["rows"]) == 5
    counts = {q.label: q.count for q in queue_counts(lead)}
    assert counts["Emails that could not be sent"] == 30


@pytest.mark.parametrize("rows", [3, 30])
def test_the_failures_page_costs_the_same_queries_at_any_size(
    client, lead, org, rows, django_assert_max_num_queries
):
    for n in range(rows):
        _failed(org, lead, n=n)
    login(client, lead)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:failures")).status_code == 200


def test_retrying_needs_a_lead(worker, org, lead):
    row = _failed(org, lead)
    with pytest.raises(services.PermissionDenied):
        services.retry_notification(actor=worker, notification=row)


def test_an_operator_without_an_organisation_can_reset_their_password(
    client, smtp, django_capture_on_commit_callbacks
):
    from safecontact.accounts.tests.factories import UserFactory

    operator = UserFactory.create(
        organisation=None, is_superuser=True, email="ops@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": operator.email})
    [mail] = smtp.mailbox.for_address("ops@example.org")
    assert "/account/password-reset/" in _link(mail)
    row = Notification.objects.get(recipient=operator)
    assert row.organisation is None and row.status == Status.SENT
