from __future__ import annotations

import csv
import io
import uuid
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.groups.tests.factories import GroupFactory
from safecontact.ledger.services import append_entry
from safecontact.people.tests.factories import ChildFactory

VIEWS = ["ledger:history", "ledger:history_csv"]


@pytest.fixture
def child(org):
    return ChildFactory.create(organisation=org, first_name="Sam", last_name="Child")


@pytest.fixture
def history(org, child, worker):
    group = GroupFactory.create(organisation=org, name="Friday Youth")
    append_entry(
        organisation=org,
        kind="message.attempt",
        content={"decision": "allow", "message": "m-1"},
        subjects=[child.code, group.code],
        actor=worker,
    )
    append_entry(organisation=org, kind="message.attempt", content={"other": True})
    append_entry(
        organisation=org,
        kind="message.inbound",
        content={"message": "m-2"},
        subjects=[child.code],
    )
    return group


def read_csv(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_the_persons_entries_oldest_first(
    lead, client_for, child, history
):
    response = client_for(lead).get(
        reverse("ledger:history_csv", args=["person", child.code])
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][0] == "Entry"
    assert [r[0] for r in rows[1:]] == ["1", "3"]
    assert '"decision": "allow"' in rows[1][5]


def test_the_printable_page_lists_a_groups_entries(lead, client_for, history):
    response = client_for(lead).get(
        reverse("ledger:history", args=["group", history.code])
    )
    assert response.status_code == HTTPStatus.OK
    assert "Contact history of the group Friday Youth" in response.text
    assert [e.seq for e, _, _ in response.context["rows"]] == [1]
    assert "Sam Child" in response.text


@pytest.mark.parametrize("view", VIEWS)
def test_every_export_is_recorded_in_the_audit_trail(
    org, lead, client_for, child, history, view
):
    client_for(lead).get(reverse(view, args=["person", child.code]))
    audit = AuditEntry.objects.get(action="export")
    assert audit.actor == lead
    assert audit.organisation == org
    assert audit.object_code == str(child.code)


def test_the_csv_defuses_spreadsheet_formulas(org, lead, make_user, client_for, child):
    sneaky = make_user("worker", org, first_name="=HYPERLINK(1)", last_name="")
    append_entry(
        organisation=org,
        kind="message.attempt",
        content={},
        subjects=[child.code],
        actor=sneaky,
    )
    rows = read_csv(
        client_for(lead).get(reverse("ledger:history_csv", args=["person", child.code]))
    )
    assert rows[1][3].startswith("'=")


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_leads_may_export(org, make_user, client_for, child, view, role):
    response = client_for(make_user(role, org)).get(
        reverse(view, args=["person", child.code])
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(child, view):
    assert (
        Client().get(reverse(view, args=["person", child.code])).status_code
        == HTTPStatus.FOUND
    )


@pytest.mark.parametrize("view", VIEWS)
def test_another_organisations_person_is_not_found(other_org, lead, client_for, view):
    theirs = ChildFactory.create(organisation=other_org)
    response = client_for(lead).get(reverse(view, args=["person", theirs.code]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("kind", ["person", "group", "user"])
def test_an_unknown_subject_is_not_found(lead, client_for, view, kind):
    response = client_for(lead).get(reverse(view, args=[kind, uuid.uuid4()]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("view", VIEWS)
def test_it_refuses_post(lead, client_for, child, view):
    response = client_for(lead).post(reverse(view, args=["person", child.code]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
