"""Pages: compose with a check step, inbox and sent, the Lead's queues."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.contact.models import Alert, Message
from safecontact.contact.services import receive_inbound
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import send
from safecontact.people.tests.factories import purpose_named

SECRET = "This is our little secret, don't tell your mum. Add me on snapchat instead."
LEAD_PAGES = ["contact:held", "contact:alerts", "contact:outbox", "contact:quarantine"]


def _compose_data(family, **kw):
    data = {
        "recipients": [str(family.child.code)],
        "channel": "email",
        "purpose": str(purpose_named(family.child.organisation).code),
        "subject": "Thursday",
        "body": "See you on Thursday.",
        "action": "check",
    }
    data.update(kw)
    return data


def test_check_shows_the_decision_and_stores_nothing(
    client_for, worker, sender, family
):
    response = client_for(worker).post(
        reverse("contact:compose"), _compose_data(family)
    )
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Check result: Can be sent, with changes" in html
    assert "a parent/carer will be copied in" in html
    assert 'value="send"' in html
    assert not Message.objects.exists()


def test_send_stores_and_redirects_to_the_message(client_for, worker, sender, family):
    data = _compose_data(family, action="send")
    response = client_for(worker).post(reverse("contact:compose"), data)
    message = Message.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == message.get_absolute_url()
    assert message.status == Message.Status.QUEUED


def test_a_blocked_check_says_how_to_put_it_right(client_for, worker, sender, family):
    # The child has no SafeContact login, so the inbox cannot reach them.
    data = _compose_data(family, channel="in_app")
    html = client_for(worker).post(reverse("contact:compose"), data).content.decode()
    assert "Cannot be sent" in html and "How to put it right" in html
    assert 'value="send"' not in html


def test_compose_needs_recipients(client_for, worker, sender, family):
    data = _compose_data(family, recipients=[])
    html = client_for(worker).post(reverse("contact:compose"), data).content.decode()
    assert "Choose at least one person or a group." in html


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("contact:compose"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("accounts:login") in response["Location"]


def test_trustees_cannot_compose_and_see_counts_only(
    client_for, trustee, worker, sender, family
):
    send(worker, [family.child])
    c = client_for(trustee)
    assert c.get(reverse("contact:compose")).status_code == HTTPStatus.FORBIDDEN
    html = c.get(reverse("contact:overview")).content.decode()
    assert "Messages by status" in html and family.child.first_name not in html
    message = Message.objects.get()
    assert c.get(message.get_absolute_url()).status_code == HTTPStatus.FORBIDDEN


def test_workers_see_only_their_own_messages(
    client_for, worker, sender, family, org, make_user
):
    message = send(worker, [family.child])
    other = make_user("worker", org)
    assert (
        client_for(worker).get(message.get_absolute_url()).status_code == HTTPStatus.OK
    )
    assert (
        client_for(other).get(message.get_absolute_url()).status_code
        == HTTPStatus.NOT_FOUND
    )
    assert (
        "Thursday" in client_for(worker).get(reverse("contact:sent")).content.decode()
    )


def test_another_organisations_lead_gets_404(
    client_for, worker, sender, family, other_org, make_user
):
    message = send(worker, [family.child])
    stranger = make_user("lead", other_org)
    assert (
        client_for(stranger).get(message.get_absolute_url()).status_code
        == HTTPStatus.NOT_FOUND
    )
    release = reverse("contact:release", args=[message.code])
    assert client_for(stranger).post(release).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("name", LEAD_PAGES)
def test_lead_pages_refuse_workers(client_for, worker, lead, name):
    assert client_for(worker).get(reverse(name)).status_code == HTTPStatus.FORBIDDEN
    assert client_for(lead).get(reverse(name)).status_code == HTTPStatus.OK


def test_release_refuses_get(client_for, lead, worker, sender, family):
    message = send(worker, [family.child], body=SECRET)
    url = reverse("contact:release", args=[message.code])
    assert client_for(lead).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_lead_releases_from_the_held_queue(
    client_for, lead, worker, sender, family
):
    message = send(worker, [family.child], body=SECRET)
    c = client_for(lead)
    assert "our little secret" in c.get(reverse("contact:held")).content.decode()
    c.post(reverse("contact:release", args=[message.code]), {"note": "ok"})
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED


def test_rejecting_without_a_note_explains_why_not(
    client_for, lead, worker, sender, family
):
    message = send(worker, [family.child], body=SECRET)
    response = client_for(lead).post(
        reverse("contact:reject", args=[message.code]), {"note": ""}, follow=True
    )
    assert "Say why the message is not being sent." in response.content.decode()
    message.refresh_from_db()
    assert message.status == Message.Status.HELD


def test_an_inbound_secret_is_held_and_the_lead_sees_the_evidence(
    client_for, lead, worker, sender, family, smtp
):
    """Issue 4: an inbound message asking a child to keep a secret and move app."""
    from safecontact.contact.services import deliver_due
    from safecontact.contact.tests.smtp import reply_to
    from safecontact.people.tests.factories import PersonFactory

    # Replies are attributed only to someone on the conversation they answer.
    adult = PersonFactory.create(
        organisation=family.child.organisation, email="sam@example.net"
    )
    send(worker, [adult])
    deliver_due()
    raw = reply_to(smtp.mailbox.received[-1], adult.email, SECRET)
    message = receive_inbound(raw).message
    assert message.status == Message.Status.HELD
    alert = Alert.objects.get(message=message)
    html = client_for(lead).get(reverse("contact:alerts")).content.decode()
    assert "<mark" in html and "secret" in html
    assert alert.findings[0]["explanation"].split(".")[0].replace("'", "&#x27;") in html
    detail = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert (
        "<mark" in detail
        and alert.findings[0]["next_step"][:20].replace("'", "&#x27;") in detail
    )


def test_the_lead_escalates_an_alert_from_its_page(
    client_for, lead, worker, sender, family
):
    message = send(worker, [family.child], body=SECRET)
    alert = message.alerts.get()
    client_for(lead).post(
        alert.get_absolute_url(), {"status": "escalated", "note": "Referred"}
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ESCALATED


def test_the_outbox_shows_plain_errors(client_for, lead, worker, sender, family, smtp):
    from safecontact.contact.services import deliver_due

    smtp.stop()
    send(worker, [family.child])
    deliver_due()
    html = client_for(lead).get(reverse("contact:outbox")).content.decode()
    assert "Could not reach the mail server" in html


def test_inbox_lists_replies(client_for, worker, sender, family, smtp):
    from safecontact.contact.services import deliver_due
    from safecontact.contact.tests.smtp import reply_to

    send(worker, [family.child])
    deliver_due()
    receive_inbound(reply_to(smtp.mailbox.received[-1], family.child.email, "Yes!"))
    html = client_for(worker).get(reverse("contact:inbox")).content.decode()
    assert "A reply to you" in html


def test_group_compose_refuses_people_and_group_together(
    client_for, worker, sender, group, org
):
    fam = make_family(org)
    data = _compose_data(fam, group=str(group.code))
    html = client_for(worker).post(reverse("contact:compose"), data).content.decode()
    assert "Choose people or a group, not both." in html


def test_the_lead_raises_a_concern_from_an_alert_with_its_evidence(
    client_for, lead, worker, sender, family
):
    message = send(worker, [family.child], body=SECRET)
    alert = message.alerts.get()
    client = client_for(lead)
    page = client.get(alert.get_absolute_url()).content.decode()
    link = f"{reverse('concerns:report')}?alert={alert.code}"
    assert link in page
    form = client.get(link).content.decode()
    assert str(alert.code) in form


def test_a_worker_raises_a_concern_from_their_message_with_its_log_entry(
    client_for, worker, sender, family
):
    from safecontact.ledger.models import LedgerEntry

    message = send(worker, [family.child])
    entry = LedgerEntry.objects.get(content__message=str(message.code))
    client = client_for(worker)
    page = client.get(message.get_absolute_url()).content.decode()
    link = f"{reverse('concerns:report')}?entry={entry.code}"
    assert link in page
    assert str(entry.code) in client.get(link).content.decode()
