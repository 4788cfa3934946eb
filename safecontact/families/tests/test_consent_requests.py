"""The Lead asks a group's parents, or the parents of children picked one by
one, for consent in one go; sees who has answered and reminds the rest. A
batch runs in chunks from a task, and a restart mid-batch neither loses nor
double-sends an email."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from safecontact.contact.tests.conftest import make_family
from safecontact.families import requests as consent_requests
from safecontact.families.models import ConsentRequest
from safecontact.families.requests import (
    CLAIM_LEASE,
    remind,
    request_consent,
    send_batch,
)
from safecontact.families.tasks import send_consent_requests
from safecontact.families.tests.conftest import body_of, token_in
from safecontact.people.tests.factories import AdultAtRiskFactory, ChildFactory


def _batch(group, lead):
    return request_consent(actor=lead, group=group)


def _queued(batch):
    """Runs of the batch's task waiting in the queue."""
    return [
        r
        for r in DBTaskResult.objects.filter(status="READY")
        if r.args_kwargs["args"][:1] == [str(batch)]
    ]


def _rcpts(smtp):
    return Counter(a for r in smtp.mailbox.received for a in r.rcpt_tos)


def test_the_lead_sends_requests_to_every_parent_of_a_group(
    org, lead, group, smtp, mailing
):
    batch = _batch(group, lead)
    assert ConsentRequest.objects.filter(batch=batch).count() == 3
    with mailing():
        assert send_consent_requests.call(str(batch)) == 3
    assert len(smtp.mailbox.received) == 3
    assert ConsentRequest.objects.filter(batch=batch, sent_at=None).count() == 0
    assert "Please give, renew or withdraw your consent for" in body_of(
        smtp.mailbox.received[0]
    )


def test_a_batch_resumed_after_a_restart_sends_nothing_twice(
    org, lead, group, smtp, mailing
):
    batch = _batch(group, lead)
    first = ConsentRequest.objects.filter(batch=batch).first()
    # One row was sent and marked before the worker stopped.
    ConsentRequest.objects.filter(pk=first.pk).update(
        claimed_at=first.created_at, sent_at=first.created_at
    )
    with mailing():
        assert send_batch(batch) == 2
        assert send_batch(batch) == 0
    assert len(smtp.mailbox.received) == 2


def test_a_restart_mid_batch_neither_loses_nor_double_sends(
    org, lead, smtp, _tuesday_morning, monkeypatch
):
    """The worker dies while sending the third email: the first two were sent
    and marked, the third was claimed but never left. Its claim is taken back
    after the lease; everyone gets exactly one email."""
    families = [make_family(org) for _ in range(5)]
    batch = request_consent(actor=lead, subjects=[f.child for f in families])
    real_send = consent_requests.send_link
    calls = {"n": 0}

    def dies_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(consent_requests, "send_link", dies_on_the_third)
    with pytest.raises(SystemExit):
        send_consent_requests.call(str(batch))
    monkeypatch.setattr(consent_requests, "send_link", real_send)
    assert ConsentRequest.objects.filter(batch=batch).exclude(sent_at=None).count() == 2
    # A new worker straight away: the dead worker's claim is still fresh.
    assert send_batch(batch) == 2
    _tuesday_morning.shift(CLAIM_LEASE + dt.timedelta(seconds=1))
    assert send_batch(batch) == 1
    assert _rcpts(smtp) == Counter({f.parent.email: 1 for f in families})
    assert not ConsentRequest.objects.filter(batch=batch, sent_at=None).exists()


def test_a_long_batch_goes_a_chunk_at_a_time_and_queues_the_rest(
    org, lead, smtp, monkeypatch
):
    monkeypatch.setattr(consent_requests, "CHUNK", 2)
    families = [make_family(org) for _ in range(5)]
    batch = request_consent(actor=lead, subjects=[f.child for f in families])
    assert send_consent_requests.call(str(batch)) == 2
    assert len(_queued(batch)) == 1  # the rest, queued by the task itself
    summary = consent_requests.batch_summary(org, batch)
    assert (summary.sent, summary.total) == (2, 5)


def test_the_lead_picks_children_without_javascript_and_asks_their_parents(
    client_for, org, lead, smtp
):
    families = [make_family(org) for _ in range(30)]
    picked = [families[0].child, families[29].child]
    client = client_for(lead)
    page = client.get(reverse("families:choose"))
    assert page.status_code == HTTPStatus.OK
    assert page.text.count('type="checkbox" name="recipients"') == 25
    # Search, keeping the first tick; then send.
    found = client.post(
        reverse("families:choose"),
        {"q": picked[1].first_name, "action": "search", "recipients": picked[0].code},
    )
    assert f'type="hidden" name="recipients" value="{picked[0].code}"' in found.text
    response = client.post(
        reverse("families:choose"),
        {"action": "send", "recipients": [p.code for p in picked]},
    )
    assert response.status_code == HTTPStatus.FOUND
    rows = ConsentRequest.objects.all()
    assert {r.subject for r in rows} == set(picked)
    assert rows[0].label == "2 people chosen"
    assert response.url == reverse("families:batch", args=[rows[0].batch])


def test_choosing_nobody_names_the_field(client_for, lead):
    page = client_for(lead).post(reverse("families:choose"), {"action": "send"})
    assert page.status_code == HTTPStatus.OK
    assert 'href="#id_recipients"' in page.text
    assert "Choose at least one person." in page.text
    assert not ConsentRequest.objects.exists()


def test_a_bad_code_among_the_chosen_gets_a_clear_error(client_for, org, lead):
    fam = make_family(org)
    page = client_for(lead).post(
        reverse("families:choose"),
        {"action": "send", "recipients": [fam.child.code, "not-a-code"]},
    )
    assert page.status_code == HTTPStatus.OK
    assert "error-summary" in page.text
    assert not ConsentRequest.objects.exists()


def test_nobody_to_email_saves_nothing(org, lead):
    child = ChildFactory.create(organisation=org)  # no carer recorded
    with pytest.raises(ValidationError):
        request_consent(actor=lead, subjects=[child])
    assert not ConsentRequest.objects.exists()


def test_another_organisations_child_cannot_be_chosen(client_for, lead, other_org):
    theirs = make_family(other_org)
    page = client_for(lead).post(
        reverse("families:choose"),
        {"action": "send", "recipients": [theirs.child.code]},
    )
    assert "error-summary" in page.text
    assert not ConsentRequest.objects.exists()


def test_an_adult_at_risk_is_asked_themselves(org, lead, smtp):
    adult = AdultAtRiskFactory.create(organisation=org)
    batch = request_consent(actor=lead, subjects=[adult])
    assert send_batch(batch) == 1
    assert smtp.mailbox.received[0].rcpt_tos == [adult.email]
    assert "Please tell us whether we may contact you." in body_of(
        smtp.mailbox.received[0]
    )


def test_the_page_shows_who_answered_and_reminds_the_rest(
    client_for, org, lead, group, smtp, mailing
):
    client = client_for(lead)
    response = client.post(reverse("families:requests"), {"group": group.code})
    assert response.status_code == HTTPStatus.FOUND
    batch = ConsentRequest.objects.first().batch
    assert "0 of 3 sent; 0 answered." in client.get(response.url).text
    send_consent_requests.call(str(batch))
    answering = smtp.mailbox.received[0]
    token = token_in(body_of(answering))
    row = ConsentRequest.objects.get(
        batch=batch, recipient__email=answering.rcpt_tos[0]
    )
    client.post(reverse("families:withdraw", args=[token, row.subject.code]))
    page = client.get(reverse("families:batch", args=[batch])).text
    assert "3 of 3 sent; 1 answered." in page
    assert "3 of 3 sent; 1 answered." in client.get(reverse("families:requests")).text
    reminded = client.post(reverse("families:remind", args=[batch]), follow=True)
    assert "Reminders are being sent to 2 people." in reminded.text
    assert send_batch(batch) == 2
    assert len(smtp.mailbox.received) == 5
    assert ConsentRequest.objects.filter(batch=batch, reminders=1).count() == 2
    assert remind(actor=lead, batch=batch) == 2  # still not answered


def test_a_stalled_batch_offers_to_carry_on(
    client_for, org, lead, group, _tuesday_morning, mailing
):
    batch = _batch(group, lead)
    client = client_for(lead)
    assert (
        "Carry on sending"
        not in client.get(reverse("families:batch", args=[batch])).text
    )
    _tuesday_morning.shift(CLAIM_LEASE + dt.timedelta(minutes=1))
    page = client.get(reverse("families:batch", args=[batch])).text
    assert "Carry on sending" in page
    with mailing():
        response = client.post(reverse("families:carry_on", args=[batch]), follow=True)
    assert "Sending has started again." in response.text
    assert _queued(batch)


@pytest.mark.parametrize("size", [3, 40])
def test_the_pages_cost_the_same_queries_at_any_size(client_for, org, lead, size):
    families = [make_family(org) for _ in range(size)]
    for _ in range(3):
        request_consent(actor=lead, subjects=[f.child for f in families])
    client = client_for(lead)
    batch = ConsentRequest.objects.first().batch
    counts = []
    for url in (reverse("families:requests"), reverse("families:batch", args=[batch])):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert counts == QUERY_BUDGET, counts


# Session, user, organisation, ... as every Lead page; then the page's own.
QUERY_BUDGET = [6, 7]


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


def test_another_organisations_batch_is_not_found(
    client_for, lead, other_org, make_user
):
    theirs = make_family(other_org)
    their_lead = make_user("lead", other_org)
    batch = request_consent(actor=their_lead, subjects=[theirs.child])
    client = client_for(lead)
    for name, method in (("batch", "get"), ("remind", "post"), ("carry_on", "post")):
        response = getattr(client, method)(reverse(f"families:{name}", args=[batch]))
        assert response.status_code == HTTPStatus.NOT_FOUND, name
    assert ConsentRequest.objects.get().reminders == 0


def test_a_bad_group_gets_a_clear_message(client_for, lead):
    response = client_for(lead).post(
        reverse("families:requests"), {"group": "nonsense"}, follow=True
    )
    assert "Choose a group." in response.text


def test_claims_are_recorded_before_sending(org, lead, group, smtp):
    batch = _batch(group, lead)
    before = timezone.now()
    send_batch(batch)
    rows = ConsentRequest.objects.filter(batch=batch)
    for row in rows:
        assert row.claimed_at is not None and row.sent_at is not None
        assert before <= row.claimed_at <= row.sent_at
