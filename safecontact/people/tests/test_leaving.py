"""Leaving means gone: a worker who leaves loses their login and their groups
at once, the Lead can reinstate them, and apply_leavers catches end dates
that pass on their own."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from safecontact.accounts.services import create_api_key
from safecontact.audittrail.models import AuditEntry
from safecontact.contact.tests.smtp import send
from safecontact.groups.models import GroupMember
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people import services
from safecontact.people.models import VettingCheck
from safecontact.people.tests.factories import WorkerFactory, today, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(org, worker):
    """The ``worker`` login's register record, a leader in two groups."""
    person = WorkerFactory.create(organisation=org, user=worker)
    for name in ("Youth Club", "Choir"):
        group = GroupFactory.create(organisation=org, name=name)
        GroupMemberFactory.create(group=group, person=person, role="leader")
    return person


def current_groups(person):
    return set(
        GroupMember.objects.filter(person=person, removed_at=None).values_list(
            "group__name", flat=True
        )
    )


def test_ending_a_worker_today_switches_off_their_login_and_groups(
    lead, worker, leaver
):
    services.end_worker_role(actor=lead, person=leaver, end_date=today())
    worker.refresh_from_db()
    assert not worker.is_active
    assert current_groups(leaver) == set()
    gone = GroupMember.objects.filter(person=leaver)
    assert {m.removed_because for m in gone} == {GroupMember.Removal.LEFT}
    audited = AuditEntry.objects.filter(actor=lead)
    assert audited.filter(model="groups.groupmember").count() == 2
    assert audited.filter(model="accounts.user", after__is_active=False).exists()


def test_a_leavers_login_no_longer_opens_messages_or_the_api(
    client_for, lead, worker, leaver
):
    client = client_for(worker)
    assert client.get(reverse("contact:inbox")).status_code == HTTPStatus.OK
    _, key = create_api_key(actor=worker, name="phone")
    bearer = {"Authorization": f"Bearer {key}"}
    url = "/api/v1/contact/messages"
    assert client.get(url, headers=bearer).status_code == HTTPStatus.OK
    services.end_worker_role(actor=lead, person=leaver, end_date=today())
    response = client.get(reverse("contact:inbox"))
    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response["Location"]
    api = client.get(url, headers=bearer)
    assert api.status_code == HTTPStatus.UNAUTHORIZED


def test_a_leaver_cannot_send(lead, worker, leaver, org):
    from safecontact.contact.tests.conftest import make_family

    family = make_family(org)
    services.end_worker_role(actor=lead, person=leaver, end_date=today())
    worker.refresh_from_db()
    message = send(worker, [family.child])
    assert message.status == "blocked"
    assert "sender.active" in {r["rule_id"] for r in message.reasons}


def test_an_end_date_on_the_worker_form_applies_leaving(client_for, lead, leaver):
    response = client_for(lead).post(
        reverse("people:worker", args=[leaver.code]),
        {
            "employment": "volunteer",
            "role_title": "Youth leader",
            "works_with": "both",
            "start_date": years_ago(2).isoformat(),
            "end_date": today().isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert current_groups(leaver) == set()


def test_a_future_end_date_changes_nothing_yet(lead, worker, leaver):
    tomorrow = today() + dt.timedelta(days=1)
    services.end_worker_role(actor=lead, person=leaver, end_date=tomorrow)
    worker.refresh_from_db()
    assert worker.is_active and current_groups(leaver) == {"Youth Club", "Choir"}


def test_reinstating_restores_login_and_groups(client_for, lead, worker, leaver):
    services.end_worker_role(actor=lead, person=leaver, end_date=today())
    client = client_for(lead)
    response = client.post(reverse("people:worker_reinstate", args=[leaver.code]))
    assert response.status_code == HTTPStatus.FOUND
    worker.refresh_from_db()
    leaver.worker.refresh_from_db()
    assert worker.is_active and leaver.worker.end_date is None
    assert current_groups(leaver) == {"Youth Club", "Choir"}
    switched = AuditEntry.objects.filter(model="accounts.user", after__is_active=True)
    assert switched.exists()
    assert all("password" not in (e.after or {}) for e in switched)
    page = client.get(response["Location"]).content.decode()
    assert "is reinstated" in page


def test_reinstating_rechecks_each_group(lead, worker, leaver):
    services.end_worker_role(actor=lead, person=leaver, end_date=today())
    VettingCheck.objects.filter(person=leaver).update(
        certificate_date=years_ago(4)
    )  # the DBS check lapsed while they were away
    done = services.reinstate_worker(actor=lead, person=leaver)
    assert done.restored == []
    assert {m.group.name for m, _ in done.refused} == {"Youth Club", "Choir"}
    [rule] = {r.rule_id for _, d in done.refused for r in d.reasons}
    assert rule == "group.uncleared_adult"


def test_only_a_worker_who_left_can_be_reinstated(client_for, lead, leaver):
    client = client_for(lead)
    response = client.post(reverse("people:worker_reinstate", args=[leaver.code]))
    assert response.status_code == HTTPStatus.FOUND
    assert "has not left" in client.get(response["Location"]).content.decode()


def test_reinstating_needs_the_lead_and_a_post(client_for, worker, trustee, leaver):
    url = reverse("people:worker_reinstate", args=[leaver.code])
    assert client_for(trustee).post(url).status_code == HTTPStatus.FORBIDDEN
    assert client_for(trustee).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- apply_leavers ------------------------------------------------------------------


def _pass_end_date(leaver, days=1):
    leaver.worker.end_date = today() - dt.timedelta(days=days)
    leaver.worker.save()


def test_apply_leavers_is_a_dry_run_unless_told(worker, leaver):
    _pass_end_date(leaver)
    out = StringIO()
    call_command("apply_leavers", stdout=out)
    assert "Would apply leaving to 1 worker(s)" in out.getvalue()
    assert "Dry run" in out.getvalue()
    worker.refresh_from_db()
    assert worker.is_active and len(current_groups(leaver)) == 2


def test_apply_leavers_ends_passed_workers_once(worker, leaver, org):
    _pass_end_date(leaver)
    staying = WorkerFactory.create(organisation=org)
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org), person=staying
    )
    out = StringIO()
    call_command("apply_leavers", "--commit", stdout=out)
    assert "Applied leaving to 1 worker(s)" in out.getvalue()
    assert "login switched off" in out.getvalue()
    worker.refresh_from_db()
    assert not worker.is_active and current_groups(leaver) == set()
    assert len(current_groups(staying)) == 1
    entries = AuditEntry.objects.count()
    again = StringIO()
    call_command("apply_leavers", "--commit", stdout=again)
    assert "Applied leaving to 0 worker(s)" in again.getvalue()
    assert AuditEntry.objects.count() == entries


def test_apply_leavers_waits_until_the_last_day_has_passed(worker, leaver):
    _pass_end_date(leaver, days=0)  # today is their last day
    call_command("apply_leavers", "--commit", stdout=StringIO())
    worker.refresh_from_db()
    assert worker.is_active and len(current_groups(leaver)) == 2


# --- The API ------------------------------------------------------------------------

API = "/api/v1/people"


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_api_ends_a_worker_at_once(client_for, lead, worker, leaver):
    response = _post(
        client_for(lead), f"{API}/{leaver.code}/leave", {"end_date": str(today())}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["end_date"] == str(today())
    worker.refresh_from_db()
    assert not worker.is_active and current_groups(leaver) == set()


def test_the_api_reinstates_a_leaver(client_for, lead, worker, leaver):
    client = client_for(lead)
    _post(client, f"{API}/{leaver.code}/leave", {"end_date": str(today())})
    response = _post(client, f"{API}/{leaver.code}/reinstate")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["login_switched_on"] is True and body["refused"] == []
    assert len(body["restored"]) == 2


def test_the_leaving_api_refuses_bad_input_clearly(client_for, lead, leaver):
    client = client_for(lead)
    url = f"{API}/{leaver.code}/leave"
    assert _post(client, url, {"end_date": "soon"}).status_code == 422
    early = _post(client, url, {"end_date": str(years_ago(10))})
    assert early.status_code == 422
    assert "before the start date" in str(early.json()["details"])
    not_left = _post(client, f"{API}/{leaver.code}/reinstate")
    assert not_left.status_code == 422
    assert "has not left" in str(not_left.json()["details"])


def test_the_leaving_api_checks_who_asks(
    client, client_for, lead, worker, leaver, other_org
):
    url = f"{API}/{leaver.code}/leave"
    body = {"end_date": str(today())}
    assert _post(client, url, body).status_code == HTTPStatus.UNAUTHORIZED
    assert _post(client_for(worker), url, body).status_code == HTTPStatus.FORBIDDEN
    assert client_for(lead).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    stranger = WorkerFactory.create(organisation=other_org)
    other = f"{API}/{stranger.code}/leave"
    assert _post(client_for(lead), other, body).status_code == HTTPStatus.NOT_FOUND
    stranger.worker.refresh_from_db()
    assert stranger.worker.end_date is None
