"""The Lead asks a group's parents for consent in one go, sees who has
answered and reminds the rest; a batch resumed after a restart sends nothing
twice."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from safecontact.families.models import ConsentRequest
from safecontact.families.requests import remind, request_consent, send_batch
from safecontact.families.tasks import send_consent_requests
from safecontact.families.tests.conftest import body_of, token_in


def _batch(group, lead):
    return request_consent(actor=lead, group=group)


def test_the_lead_sends_requests_to_every_parent_of_a_group(
    org, lead, group, smtp, mailing
):
    batch = _batch(group, lead)
    assert ConsentRequest.objects.filter(batch=batch).count() == 3
    with mailing():
        assert send_consent_requests.call(str(batch)) == 3
    assert len(smtp.mailbox.received) == 3
    assert ConsentRequest.objects.filter(batch=batch, sent_at=None).count() == 0


def test_a_batch_resumed_after_a_restart_sends_nothing_twice(
    org, lead, group, smtp, mailing
):
    batch = _batch(group, lead)
    first = ConsentRequest.objects.filter(batch=batch).first()
    # One row was claimed before the worker stopped.
    ConsentRequest.objects.filter(pk=first.pk).update(sent_at=first.created_at)
    with mailing():
        assert send_batch(batch) == 2
        assert send_batch(batch) == 0
    assert len(smtp.mailbox.received) == 2


def test_the_page_shows_who_answered_and_reminds_the_rest(
    client_for, org, lead, group, smtp, mailing
):
    client = client_for(lead)
    with mailing():
        response = client.post(reverse("families:requests"), {"group": group.code})
    assert response.status_code == HTTPStatus.FOUND
    assert "0 of 3 sent; 0 answered." in client.get(reverse("families:requests")).text
    batch = ConsentRequest.objects.first().batch
    with mailing():
        send_consent_requests.call(str(batch))
    answering = smtp.mailbox.received[0]
    token = token_in(body_of(answering))
    row = ConsentRequest.objects.get(
        batch=batch, recipient__email=answering.rcpt_tos[0]
    )
    client.post(reverse("families:withdraw", args=[token, row.subject.code]))
    page = client.get(reverse("families:requests")).text
    assert "3 of 3 sent; 1 answered." in page
    with mailing():
        assert remind(actor=lead, batch=batch) == 2
    assert len(smtp.mailbox.received) == 5
    assert ConsentRequest.objects.filter(batch=batch, reminders=1).count() == 2


def test_only_a_lead_sends_requests(client_for, worker, group):
    response = client_for(worker).post(
        reverse("families:requests"), {"group": group.code}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not ConsentRequest.objects.exists()


def test_another_organisations_group_is_not_found(client_for, lead, other_org):
    from safecontact.groups.tests.factories import GroupFactory

    theirs = GroupFactory.create(organisation=other_org)
    response = client_for(lead).post(
        reverse("families:requests"), {"group": theirs.code}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_bad_group_gets_a_clear_message(client_for, lead):
    response = client_for(lead).post(
        reverse("families:requests"), {"group": "nonsense"}, follow=True
    )
    assert "Choose a group." in response.text
