"""Who a concern reaches: the Lead and deputy; never its subject."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from safecontact.concerns import services
from safecontact.concerns.models import Case
from safecontact.concerns.selectors import can_view, recipients, visible_cases
from safecontact.concerns.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_trustee(org, lead, trustee):
    services.set_named_trustee(actor=lead, organisation=org, trustee=trustee)
    return trustee


def test_a_concern_goes_to_the_lead_and_deputy(
    org, lead, deputy, worker, trustee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org)
    assert {u.pk for u in recipients(case)} == {lead.pk, deputy.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, deputy.email])


def test_a_concern_about_a_worker_is_invisible_to_that_worker(
    org, lead, deputy, worker, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org, actor=deputy, about_user=worker)
    assert worker.email not in [m.to[0] for m in mail.outbox]
    assert not can_view(worker, case)
    assert case not in visible_cases(worker)
    client = client_for(worker)
    assert case.reference not in client.get(reverse("concerns:list")).content.decode()
    assert client.get(case.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    api = client.get(f"/api/v1/concerns/cases/{case.code}")
    assert api.status_code == HTTPStatus.NOT_FOUND


def test_a_concern_cannot_be_shared_with_the_person_it_is_about(org, lead, worker):
    case = make_case(org, about_user=worker)
    with pytest.raises(ValidationError, match="cannot be shared with them"):
        services.share_case(actor=lead, case=case, user=worker)
    assert not can_view(worker, case)


def test_naming_someone_at_triage_takes_away_a_share_they_had(org, lead, worker):
    case = make_case(org)
    services.share_case(actor=lead, case=case, user=worker)
    assert can_view(worker, case)
    services.triage_case(
        actor=lead,
        case=case,
        category=Case.Category.WORKER_CONDUCT,
        risk=Case.Risk.HIGH,
        about=Case.About.INSIDE,
        about_user=worker,
    )
    assert not can_view(worker, case)
    assert not case.shares.exists()


def test_a_concern_about_the_lead_reaches_the_deputy_and_named_trustee_only(
    org, lead, deputy, named_trustee, worker, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org, actor=worker, about_user=lead)
    assert {u.pk for u in recipients(case)} == {deputy.pk, named_trustee.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [deputy.email, named_trustee.email]
    )
    assert client_for(lead).get(case.get_absolute_url()).status_code == 404
    assert case not in visible_cases(lead)
    assert client_for(deputy).get(case.get_absolute_url()).status_code == 200
    assert client_for(named_trustee).get(case.get_absolute_url()).status_code == 200


def test_an_ordinary_concern_is_not_shown_to_the_named_trustee(
    org, lead, named_trustee, client_for
):
    case = make_case(org)
    assert client_for(named_trustee).get(case.get_absolute_url()).status_code == 404


def test_naming_the_lead_at_triage_tells_the_trustee(
    org, lead, deputy, named_trustee, django_capture_on_commit_callbacks
):
    case = make_case(org)
    with django_capture_on_commit_callbacks(execute=True):
        services.triage_case(
            actor=deputy,
            case=case,
            category=Case.Category.WORKER_CONDUCT,
            risk=Case.Risk.MEDIUM,
            about=Case.About.INSIDE,
            about_user=lead,
        )
    assert [m.to[0] for m in mail.outbox] == [named_trustee.email]
    assert not can_view(lead, case)


def test_a_lead_cannot_name_themselves(org, lead):
    case = make_case(org)
    with pytest.raises(ValidationError, match="cannot name yourself"):
        services.triage_case(
            actor=lead, case=case, category="other", risk="low", about="inside",
            about_user=lead,
        )  # fmt: skip


def test_only_a_trustee_can_be_the_named_trustee(org, lead, worker):
    with pytest.raises(ValidationError, match="Choose a trustee"):
        services.set_named_trustee(actor=lead, organisation=org, trustee=worker)


def test_routing_page_is_for_leads_only(org, lead, trustee, worker, client_for):
    url = reverse("concerns:routing")
    assert client_for(worker).get(url).status_code == HTTPStatus.FORBIDDEN
    response = client_for(lead).post(url, {"named_trustee": trustee.pk})
    assert response.status_code == HTTPStatus.FOUND
    from safecontact.concerns.selectors import named_trustee as current

    assert current(org) == trustee


def test_with_no_deputy_or_named_trustee_a_concern_about_the_lead_goes_to_trustees(
    org, lead, trustee, client_for
):
    case = make_case(org, about_user=lead)
    assert [u.pk for u in recipients(case)] == [trustee.pk]
    assert client_for(trustee).get(case.get_absolute_url()).status_code == 200
    assert case in visible_cases(trustee)
    assert case not in visible_cases(lead)
