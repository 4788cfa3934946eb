"""A public report can say it is about someone who helps; it never reaches them.

Rule ids (docs/reports-about-leaders.md):
- concerns.route.not-subject: a report never reaches the person it names.
- concerns.route.lead: a report about the Lead goes to the deputies and the
  named trustee.
- concerns.route.deputy: a report about a deputy goes to the Lead and the
  other deputies.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.concerns import services
from safecontact.concerns.models import Case
from safecontact.concerns.selectors import LEAD_CHOICE, helpers, recipients
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

STORY = "He keeps messaging me late at night and says not to tell anyone."


def _url(name, org):
    return reverse(f"report:{name}", args=[org.report_token])


def _key(org, first_name):
    return next(h.key for h in helpers(org) if h.label.startswith(first_name))


def _child_sends(client, org, helper):
    answers = {
        "step": "3",
        "narrative": STORY,
        "about": "inside",
        "about_helper": helper,
        "anonymous": "anonymous",
    }
    return client.post(_url("child", org), answers)


@pytest.fixture
def named_trustee(org, lead, trustee):
    services.set_named_trustee(actor=lead, organisation=org, trustee=trustee)
    return trustee


def test_route_lead_a_childs_report_about_the_lead_never_reaches_the_lead(
    client, client_for, org, lead, deputy, named_trustee,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """concerns.route.lead and concerns.route.not-subject, through the child form."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _child_sends(client, org, LEAD_CHOICE)
    assert response.status_code == HTTPStatus.FOUND
    case = Case.objects.get()
    assert case.about_user == lead and case.about == Case.About.INSIDE
    assert {u.pk for u in recipients(case)} == {deputy.pk, named_trustee.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [deputy.email, named_trustee.email]
    )
    lead_client = client_for(lead)
    assert case.reference not in lead_client.get(reverse("concerns:list")).text
    assert lead_client.get(case.get_absolute_url()).status_code == 404
    assert client_for(deputy).get(case.get_absolute_url()).status_code == 200


def test_route_deputy_a_report_about_a_deputy_goes_to_the_lead_and_other_deputies(
    client, org, lead, deputy, make_user, django_capture_on_commit_callbacks
):
    """concerns.route.deputy, through the standard form."""
    other = make_user("deputy", org, first_name="Ola")
    answers = {
        "narrative": STORY,
        "about": "inside",
        "about_helper": _key(org, "Dev"),
        "anonymous": "anonymous",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("standard", org), answers)
    case = Case.objects.get()
    assert case.about_user == deputy
    assert {u.pk for u in recipients(case)} == {lead.pk, other.pk}
    assert deputy.email not in [m.to[0] for m in mail.outbox]


def test_route_not_subject_a_worker_named_on_easy_read_never_gets_the_report(
    client, client_for, org, lead, make_user, django_capture_on_commit_callbacks
):
    """concerns.route.not-subject: a register worker who logs in, named by role."""
    login = make_user("worker", org, first_name="Sam")
    WorkerFactory.create(organisation=org, first_name="Sam", last_name="Ok", user=login)
    page = client.get(_url("easy_read", org)).text
    assert "Sam, Youth leader" in page and "Ok<" not in page
    answers = {
        "narrative": STORY,
        "about_helper": _key(org, "Sam"),
        "anonymous": "anonymous",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("easy_read", org), answers)
    case = Case.objects.get()
    assert case.about_user == login and case.about == Case.About.INSIDE
    assert [m.to[0] for m in mail.outbox] == [lead.email]
    assert client_for(login).get(case.get_absolute_url()).status_code == 404
    with pytest.raises(Exception, match="cannot be shared with them"):
        services.share_case(actor=lead, case=case, user=login)


def test_a_volunteer_without_a_login_is_recorded_by_name_and_role(client, org, lead):
    WorkerFactory.create(organisation=org, first_name="Tom", last_name="Hughes")
    answers = {
        "narrative": STORY,
        "about_helper": _key(org, "Tom"),
        "anonymous": "anonymous",
    }
    client.post(_url("standard", org), answers)
    case = Case.objects.get()
    assert case.about_user is None
    assert case.about_description == "Named on the form: Tom, Youth leader."


def test_former_workers_and_other_organisations_helpers_are_not_offered(
    client, org, lead, make_user
):
    WorkerFactory.create(organisation=org, first_name="Gone", left=True)
    WorkerFactory.create(
        organisation=OrganisationFactory.create(), first_name="Elsewhere"
    )
    make_user("trustee", org, first_name="Trudy")
    page = client.get(_url("standard", org)).text
    assert "Gone," not in page and "Elsewhere" not in page and "Trudy" not in page
    assert "The Safeguarding Lead" in page and lead.first_name not in page


@pytest.mark.parametrize("value", ["not-a-key", "x" * 5000, "\x00"])
def test_a_made_up_choice_is_refused_with_a_clear_message(client, org, value):
    answers = {"narrative": STORY, "about_helper": value, "anonymous": "anonymous"}
    response = client.post(_url("standard", org), answers)
    assert response.status_code == HTTPStatus.OK
    assert "not on the list any more" in response.text
    assert not Case.objects.exists()


def test_the_reference_stays_on_reload_for_30_minutes_only(client, org):
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        sent = client.post(_url("standard", org), {
            "narrative": STORY, "about": "outside", "anonymous": "anonymous",
        })["Location"]  # fmt: skip
        reference = Case.objects.get().reference
        assert reference in client.get(sent).text
        assert reference in client.get(sent).text
        other = OrganisationFactory.create()
        assert reference not in client.get(_url("sent", other)).text
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        assert reference not in client.get(sent).text


@pytest.mark.parametrize("name", ["start", "standard", "easy_read", "child", "sent"])
def test_every_public_page_has_a_quick_exit_that_works_without_javascript(
    client, org, name
):
    html = client.get(_url(name, org)).text
    assert 'class="exit-page" href="https://www.bbc.co.uk/weather"' in html
    assert "Leave this page quickly" in html
    assert "concerns/exit.js" in html and "<script>" not in html


def test_the_child_form_shows_the_danger_box_once_then_a_short_line(client, org):
    first = client.get(_url("child", org)).text
    assert first.count("danger-box") == 1
    second = client.post(_url("child", org), {"step": "0", "narrative": STORY}).text
    assert "Question 2 of 4" in second and "danger-box" not in second
    assert "Call <strong>999</strong>" in second


def test_the_easy_read_form_has_a_picture_for_every_question(client, org):
    html = client.get(_url("easy_read", org)).text
    for name in ("narrative", "about", "about_helper", "anonymous", "screenshots"):
        assert f"concerns/symbols/{name}.svg" in html
