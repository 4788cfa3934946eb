"""Consent nearing its end is on the attention list, for as many days ahead as
the organisation chose, with one click to send the parent a renewal link:
idempotent and audited."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.contact.tests.conftest import make_family
from safecontact.families.models import ConsentRequest
from safecontact.families.requests import send_batch
from safecontact.families.tests.conftest import body_of, token_in
from safecontact.people.tests.factories import ConsentFactory, today

ATTENTION = reverse("people:attention") + "?category=consent_renewal"


def _ending_in(org, days):
    return make_family(org, expires_on=today() + dt.timedelta(days=days))


def test_consent_ending_within_the_notice_period_is_on_the_attention_list(
    client_for, org, lead
):
    org.consent_notice_days = 45
    org.save()
    soon, later = _ending_in(org, 40), _ending_in(org, 50)
    page = client_for(lead).get(ATTENTION).text
    assert "Consent ending soon" in page
    assert str(soon.child) in page and str(later.child) not in page
    assert "Send a renewal request" in page
    # One click: a button that posts, not a link to a form.
    renew = reverse("families:renew", args=[soon.consent.code])
    assert f'<form method="post" action="{renew}">' in page


def test_one_click_sends_the_parent_a_renewal_link(client_for, org, lead, smtp):
    fam = _ending_in(org, 10)
    client = client_for(lead)
    response = client.post(reverse("families:renew", args=[fam.consent.code]))
    assert response.status_code == HTTPStatus.FOUND
    row = ConsentRequest.objects.get()
    assert (row.recipient, row.subject, row.renews) == (
        fam.parent,
        fam.child,
        fam.consent,
    )
    assert send_batch(row.batch) == 1
    [received] = smtp.mailbox.received
    assert received.rcpt_tos == [fam.parent.email]
    body = body_of(received)
    assert f"Please renew {fam.child.first_name}'s consent" in body
    assert token_in(body)
    page = client.get(ATTENTION).text
    assert "A renewal request was sent on" in page
    assert "See who has answered" in page


def test_a_second_click_sends_nothing_more(client_for, org, lead, smtp):
    fam = _ending_in(org, 10)
    client = client_for(lead)
    url = reverse("families:renew", args=[fam.consent.code])
    client.post(url)
    again = client.post(url, follow=True)
    assert "was already sent" in again.text
    assert ConsentRequest.objects.count() == 1


def test_the_renewal_request_is_audited(client_for, org, lead):
    fam = _ending_in(org, 10)
    client_for(lead).post(reverse("families:renew", args=[fam.consent.code]))
    row = ConsentRequest.objects.get()
    entry = AuditEntry.objects.get(object_code=str(row.code))
    assert entry.actor == lead
    assert entry.after is not None
    assert entry.after["renews"] == str(fam.consent.code)


def test_renewing_online_takes_it_off_the_list(client_for, client, org, lead, smtp):
    fam = _ending_in(org, 10)
    client_for(lead).post(reverse("families:renew", args=[fam.consent.code]))
    send_batch(ConsentRequest.objects.get().batch)
    token = token_in(body_of(smtp.mailbox.received[0]))
    from safecontact.people.tests.factories import purpose_named

    client.post(
        reverse("families:consent", args=[token, fam.child.code]),
        {
            "channels": ["email"],
            "purposes": [purpose_named(org).pk],
            "days": [str(d) for d in range(7)],
            "start": "08:00",
            "end": "21:00",
            "photos": "no",
        },
    )
    assert fam.child.consents.count() == 2
    page = client_for(lead).get(reverse("people:attention")).text
    assert "Consent ending soon" not in page


def test_only_a_lead_sends_a_renewal_request(client_for, org, worker, trustee):
    fam = _ending_in(org, 10)
    url = reverse("families:renew", args=[fam.consent.code])
    for user in (worker, trustee):
        assert client_for(user).post(url).status_code == HTTPStatus.FORBIDDEN
    assert not ConsentRequest.objects.exists()


def test_another_organisations_consent_is_not_found(client_for, lead, other_org):
    theirs = _ending_in(other_org, 10)
    response = client_for(lead).post(
        reverse("families:renew", args=[theirs.consent.code])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not ConsentRequest.objects.exists()


def test_a_replaced_consent_is_not_renewed(client_for, org, lead):
    fam = _ending_in(org, 10)
    old = fam.consent
    ConsentFactory.create(subject=fam.child, given_by=fam.parent)
    response = client_for(lead).post(
        reverse("families:renew", args=[old.code]), follow=True
    )
    assert "A newer consent record replaced this one." in response.text
    assert not ConsentRequest.objects.exists()


def test_online_consent_lasts_the_organisations_renewal_period(client, org):
    from safecontact.families.tests.conftest import link_for
    from safecontact.people.tests.factories import (
        ChildFactory,
        ParentFactory,
        RelationshipFactory,
        purpose_named,
    )

    org.consent_renewal_months = 6
    org.save()
    child = ChildFactory.create(organisation=org)
    parent = ParentFactory.create(organisation=org)
    RelationshipFactory.create(person=child, carer=parent)
    token = link_for(parent).strip("/").split("/")[-1]
    client.post(
        reverse("families:consent", args=[token, child.code]),
        {
            "channels": ["email"],
            "purposes": [purpose_named(org).pk],
            "days": [str(d) for d in range(7)],
            "start": "08:00",
            "end": "21:00",
            "photos": "no",
        },
    )
    assert child.consents.get().expires_on == dt.date(2026, 9, 10)


def test_the_renewal_items_cost_the_same_queries_at_any_size(org, lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safecontact.families.requests import send_renewal_request
    from safecontact.families.selectors import renewal_items

    counts, ending = [], 0
    for size in (2, 20):  # 2 consents ending soon, then 22
        families = [_ending_in(org, 10) for _ in range(size)]
        ending += size
        send_renewal_request(actor=lead, consent=families[0].consent)
        with CaptureQueriesContext(connection) as queries:
            assert len(renewal_items(org, today())) == ending
        counts.append(len(queries))
    assert counts == [2, 2], counts
