"""/people/audit/: the general audit trail, read by the Lead, deputy and trustees.

It must never tell anyone about a concern or case (docs/audit-trail.md): not
the person a concern is about, and not trustees, who see no case at all.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safecontact.accounts.models import User
from safecontact.concerns import services as concerns
from safecontact.concerns.models import Case
from safecontact.concerns.tests.factories import make_case
from safecontact.people import services as people
from safecontact.people.models import Person

pytestmark = pytest.mark.django_db
URL = reverse("people:audit")
REPORTER = "Rita Reporterson"


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


@pytest.fixture
def case_about_the_lead(org, lead, deputy, worker):
    """A worker reports the Lead; the deputy triages it and shares it."""
    case = make_case(
        org,
        actor=worker,
        anonymous=False,
        reporter_name=REPORTER,
        reporter_contact="07700 900123",
        about_user=lead,
    )
    concerns.triage_case(
        actor=deputy,
        case=case,
        category=Case.Category.WORKER_CONDUCT,
        risk=Case.Risk.HIGH,
        about=Case.About.INSIDE,
        about_user=lead,
    )
    concerns.add_chronology_entry(actor=deputy, case=case, text="Spoke to LADO.")
    concerns.record_case_access(actor=deputy, case=case)
    return case


def _says_nothing_of(text: str, case: Case) -> None:
    assert case.reference not in text
    assert str(case.code) not in text
    assert REPORTER not in text
    assert "worker_conduct" not in text
    assert "Conduct of a worker" not in text  # the category
    assert "high" not in text.lower()  # the risk


def test_concern_about_the_lead_triaged_by_the_deputy_shows_the_lead_nothing(
    client_for, lead, case_about_the_lead
):
    # Rule audit.case_private: case entries stay off the general trail.
    text = page(client_for(lead))
    _says_nothing_of(text, case_about_the_lead)
    assert "concerns." not in text
    assert "Nothing recorded yet." in text


def test_trustees_see_no_case_entries(client_for, granted_trustee, deputy, org):
    trustee = granted_trustee
    case = make_case(org, actor=deputy)
    concerns.share_case(actor=deputy, case=case, user=trustee)
    text = page(client_for(trustee))
    _says_nothing_of(text, case)


def test_the_deputy_does_not_see_case_entries_here_either(
    client_for, deputy, case_about_the_lead
):
    _says_nothing_of(page(client_for(deputy)), case_about_the_lead)


def test_filters_cannot_reach_case_entries(client_for, lead, case_about_the_lead):
    client = client_for(lead)
    for params in (
        {"model": "concerns.case"},
        {"model": "concerns.chronologyentry"},
        {"action": "view"},
        {"action": "update"},
    ):
        text = page(client, **params)
        _says_nothing_of(text, case_about_the_lead)
    assert "concerns.case" not in page(client)


def test_an_untagged_entry_of_the_concerns_app_stays_off_too(
    client_for, lead, org, deputy, case_about_the_lead
):
    from safecontact.audittrail.models import AuditEntry

    AuditEntry.objects.create(
        organisation=org,
        actor=deputy,
        actor_label="Dev Deputy",
        action="update",
        model="concerns.referral",
        object_code="x",
        object_label=case_about_the_lead.reference,
    )
    _says_nothing_of(page(client_for(lead)), case_about_the_lead)


def test_register_changes_read_as_sentences_with_labels_and_local_dates(
    client_for, lead, org
):
    with time_machine.travel(dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.UTC)):
        person = people.create_person(
            actor=lead,
            organisation=org,
            first_name="Wes",
            last_name="Worker",
            kind=Person.Kind.WORKER,
            date_of_birth=dt.date(1990, 1, 1),
        )
    with time_machine.travel(dt.datetime(2026, 7, 3, 14, 5, tzinfo=dt.UTC)):
        people.update_person(actor=lead, person=person, last_name="Walker")
    text = page(client_for(lead))
    assert "Lena Lead added Wes Worker (person) on 3 March 2026, 14:05." in text
    # British Summer Time in July: 14:05 UTC is 15:05 in London.
    assert (
        "Lena Lead changed Wes Walker\N{RIGHT SINGLE QUOTATION MARK}s last name"
        " on 3 July 2026, 15:05." in text
    )
    assert "Last name: Worker → Walker" in text
    assert "<code>people.person</code>" in text  # the Lead's technical detail


def test_trustees_get_no_technical_detail(client_for, lead, granted_trustee, org):
    trustee = granted_trustee
    people.create_person(
        actor=lead,
        organisation=org,
        first_name="Ada",
        last_name="Adult",
        kind=Person.Kind.WORKER,
        date_of_birth=dt.date(1990, 1, 1),
    )
    text = page(client_for(trustee))
    assert "Lena Lead added Ada Adult (person)" in text
    assert "<code>people.person</code>" not in text
    assert "Show technical detail" not in text


def test_it_filters_by_who_and_kind_of_record(client_for, lead, deputy, org):
    people.create_person(
        actor=lead,
        organisation=org,
        first_name="Ada",
        last_name="Adult",
        kind=Person.Kind.WORKER,
        date_of_birth=dt.date(1990, 1, 1),
    )
    people.create_person(
        actor=deputy,
        organisation=org,
        first_name="Bea",
        last_name="Brown",
        kind=Person.Kind.WORKER,
        date_of_birth=dt.date(1990, 1, 1),
    )
    client = client_for(lead)
    text = page(client, actor=deputy.pk, model="people.person")
    assert "Bea Brown" in text
    assert "Ada Adult" not in text


def test_bad_filters_get_a_clear_error_not_a_500(client_for, lead):
    client = client_for(lead)
    for params in (
        {"since": "0001-01-01"},
        {"since": "not a date"},
        {"actor": "99999999999999999999"},
        {"model": "x" * 5000},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"page": "10000000000000000000000"},
    ):
        response = client.get(URL, params)
        assert response.status_code == HTTPStatus.OK


def test_another_organisations_entries_are_not_shown(client_for, lead, other_org):
    other_lead = User.objects.create(
        username="other", role="lead", organisation=other_org
    )
    people.create_person(
        actor=other_lead,
        organisation=other_org,
        first_name="Zara",
        last_name="Zed",
        kind=Person.Kind.WORKER,
        date_of_birth=dt.date(1990, 1, 1),
    )
    assert "Zara" not in page(client_for(lead))


def test_workers_and_anonymous_users_are_refused(client_for, worker, client):
    assert client_for(worker).get(URL).status_code == HTTPStatus.FORBIDDEN
    assert client.get(URL).status_code == HTTPStatus.FOUND


def _people(org, lead, n):
    for i in range(n):
        people.create_person(
            actor=lead,
            organisation=org,
            first_name=f"P{i}",
            last_name="Person",
            kind=Person.Kind.WORKER,
            date_of_birth=dt.date(1990, 1, 1),
        )


def test_its_query_count_does_not_grow_with_the_rows_shown(client_for, lead, org):
    client = client_for(lead)
    _people(org, lead, 3)
    with CaptureQueriesContext(connection) as few:
        page(client)
    _people(org, lead, 40)
    with CaptureQueriesContext(connection) as many:
        page(client)
    assert len(many) == len(few)


def test_the_general_trail_reads_its_index_instead_of_sorting_the_table(org):
    from safecontact.audittrail.selectors import general_trail

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's planner prefers a scan on a table this small")
    plan = general_trail(org)[:50].explain()
    assert "audit_general_newest" in plan
    assert "TEMP B-TREE" not in plan


def test_values_read_as_plain_words_and_links_hide_database_ids(org, lead):
    from safecontact.audittrail.models import AuditEntry
    from safecontact.audittrail.selectors import lines

    entry = AuditEntry.objects.create(
        organisation=org,
        actor_label="Lena Lead",
        action="update",
        model="groups.groupmember",
        object_code="x",
        object_label="Sam in Youth",
        before={"group_id": 7, "role": "", "removed_at": None},
        after={"group_id": 8, "role": "leader", "removed_at": "2026-03-03"},
    )
    (line,) = lines([entry])
    by_label = {c.label: c for c in line.changes}
    assert by_label["Group"].link
    assert (by_label["Role"].old, by_label["Role"].new) == ("(empty)", "leader")
    assert not by_label["Role"].link


def test_plain_words_for_yes_no_lists_and_nothing():
    from safecontact.audittrail.selectors import shown

    assert [shown(True), shown(False), shown(["email", "sms"]), shown(None)] == [
        "yes",
        "no",
        "email, sms",
        "(empty)",
    ]
    assert shown(0) == "0"
