"""The worker's and trustee's home page: their work, their checks, what to read."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.people.models import Training, VettingCheck
from safecontact.people.tests.factories import WorkerFactory
from safecontact.policies.tests.factories import published_policy

pytestmark = pytest.mark.django_db


def test_a_volunteer_sees_what_to_do_their_groups_and_checks(
    client_for, worker, sender, group
):
    page = client_for(worker).get(reverse("home"))
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "Write a message" in html and reverse("contact:compose") in html
    assert "Report a concern" in html and reverse("concerns:report") in html
    assert group.name in html and group.get_absolute_url() in html
    assert "DBS check" in html and "Current until" in html
    assert "Safeguarding training" in html


def test_a_volunteer_sees_training_due_soon(client_for, org, worker):
    person = WorkerFactory.create(organisation=org, user=worker)
    course = Training.objects.get(person=person)
    course.expires_on = dt.date(2026, 3, 30)
    course.save()
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "Due on 30 March 2026, in 20 days." in html


def test_a_volunteer_sees_a_missing_dbs_check(client_for, org, worker):
    WorkerFactory.create(organisation=org, user=worker, vetting="missing")
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "No DBS check is recorded." in html


def test_a_volunteer_sees_their_checks_own_renewal_date_or_the_update_service(
    client_for, org, worker
):
    """The same renewal rule as clearance and the attention list."""
    person = WorkerFactory.create(organisation=org, user=worker)
    check = VettingCheck.objects.get(person=person)
    check.renewal_due = dt.date(2026, 3, 25)
    check.save()
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "Due on 25 March 2026, in 15 days." in html
    check.update_service = True
    check.save()
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "Current (Update Service)." in html


def test_a_volunteer_is_asked_to_read_outstanding_policies(
    client_for, org, lead, worker, sender
):
    policy = published_policy(lead)
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "Policies to read" in html and policy.title in html


def test_a_login_without_a_register_entry_is_told_to_ask_the_lead(client_for, worker):
    html = client_for(worker).get(reverse("home")).content.decode()
    assert "not yet linked to an entry in the register" in html


def test_trustees_and_the_lead_land_on_the_dashboard(client_for, trustee, lead):
    for user in (trustee, lead):
        page = client_for(user).get(reverse("home"))
        assert page.status_code == HTTPStatus.FOUND
        assert page["Location"] == reverse("dashboard:dashboard")


def test_the_lead_sees_their_queues_on_the_dashboard(client_for, lead):
    html = client_for(lead).get(reverse("dashboard:dashboard")).content.decode()
    assert "What needs you" in html
    assert reverse("contact:held") in html


def test_the_menu_marks_the_section_you_are_in(client_for, lead):
    html = client_for(lead).get(reverse("groups:list")).content.decode()
    assert f'href="{reverse("groups:list")}" aria-current="page"' in html
    assert f'href="{reverse("people:list")}" aria-current' not in html
    attention = client_for(lead).get(reverse("people:attention")).content.decode()
    assert f'href="{reverse("people:attention")}" aria-current="page"' in attention
    assert f'href="{reverse("people:list")}" aria-current' not in attention


def test_api_keys_live_under_the_account_menu(client_for, worker):
    html = client_for(worker).get(reverse("home")).content.decode()
    menu = html.split('class="account-menu"')[1].split("</details>")[0]
    assert reverse("accounts:api_keys") in menu
    assert reverse("notifications:preferences") in menu
    assert "Log out" in menu
