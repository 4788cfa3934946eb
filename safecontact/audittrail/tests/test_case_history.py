"""A case's own audit history: on its page, to those who may read the case only."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.concerns import services as concerns
from safecontact.concerns.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_about_the_lead(org, lead, deputy):
    case = make_case(org, actor=deputy, about_user=lead)
    concerns.add_chronology_entry(actor=deputy, case=case, text="Spoke to LADO.")
    return case


def test_the_case_page_shows_its_history_to_whoever_handles_it(
    client_for, deputy, case_about_the_lead
):
    response = client_for(deputy).get(case_about_the_lead.get_absolute_url())
    text = response.content.decode()
    assert "Who has opened and changed this case" in text
    assert f"Dev Deputy added {case_about_the_lead.reference} (case)" in text
    assert "Dev Deputy viewed" in text


def test_the_person_a_case_is_about_never_sees_its_history(
    client_for, lead, case_about_the_lead
):
    response = client_for(lead).get(case_about_the_lead.get_absolute_url())
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_someone_it_was_shared_with_sees_its_history(client_for, org, deputy, worker):
    case = make_case(org, actor=deputy)
    concerns.share_case(actor=deputy, case=case, user=worker)
    text = client_for(worker).get(case.get_absolute_url()).content.decode()
    assert f"Dev Deputy added {case.reference}" in text


def test_a_case_shows_only_its_own_history(client_for, org, deputy):
    one, two = make_case(org, actor=deputy), make_case(org, actor=deputy)
    text = client_for(deputy).get(one.get_absolute_url()).content.decode()
    assert two.reference not in text
