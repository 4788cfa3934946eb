"""Default agreed hours and retention periods: set by the Lead on the settings
page, validated, audited, and used by the gateway, the forms and the purges."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from safecontact.accounts.models import Organisation
from safecontact.accounts.tests.test_settings_page import settings_form
from safecontact.audits.models import GroupAudit
from safecontact.audits.tests.factories import finished_audit
from safecontact.audittrail.models import AuditEntry
from safecontact.concerns import services as concerns
from safecontact.concerns.models import Case
from safecontact.concerns.tests.factories import make_case
from safecontact.conftest import login
from safecontact.contact.models import Message
from safecontact.contact.tests.conftest import (  # noqa: F401 - pytest fixtures
    LONDON,
    _tuesday_morning,
    make_family,
    sender,
)
from safecontact.contact.tests.smtp import send
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.models import Person
from safecontact.people.tests.factories import ParentFactory

pytestmark = pytest.mark.django_db

WEEKDAY_EVENINGS = {
    "default_days": ["0", "1", "2", "3", "4"],
    "default_start": "17:00",
    "default_end": "20:30",
}


def _save(client, org: Organisation, **changes: object):
    return client.post(reverse("accounts:settings"), settings_form(org, **changes))


def _rules(message: Message) -> set[str]:
    return {r["rule_id"] for r in message.decision["reasons"]}


def test_the_lead_sets_default_agreed_hours_and_the_change_is_audited(
    client, lead, org
):
    login(client, lead)
    assert _save(client, org, **WEEKDAY_EVENINGS).status_code == HTTPStatus.FOUND
    org.refresh_from_db()
    assert org.default_hours == [
        {"day": day, "start": "17:00", "end": "20:30"} for day in range(5)
    ]
    entry = AuditEntry.objects.get(model="accounts.organisation", action="update")
    assert entry.before is not None and entry.after is not None
    assert entry.before["default_hours"] == []
    assert len(entry.after["default_hours"]) == 5
    page = client.get(reverse("accounts:settings"))
    assert page.context["form"]["default_start"].value() == "17:00"


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        (
            {"default_days": ["0"], "default_start": "20:00", "default_end": "18:00"},
            "default_end",
            "The end time must be after the start time.",
        ),
        (
            {"default_days": ["0"], "default_start": "18:00", "default_end": "18:00"},
            "default_end",
            "The end time must be after the start time.",
        ),
        (
            {"default_days": ["0"], "default_start": "", "default_end": ""},
            "default_start",
            "Give the times for the agreed days.",
        ),
        (
            {"default_start": "09:00", "default_end": "17:00"},
            "default_days",
            "Choose the days these hours are for.",
        ),
        (
            {"default_days": ["0"], "default_start": "25:00", "default_end": "26:00"},
            "default_start",
            "Enter a valid time.",
        ),
    ],
)
def test_nonsense_hours_are_refused_clearly_and_nothing_is_saved(
    client, lead, org, hours, field, message
):
    login(client, lead)
    response = _save(client, org, outside_hours="block", **hours)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors[field] == [message]
    assert f'href="#id_{field}' in response.content.decode()
    org.refresh_from_db()
    assert org.default_hours == [] and org.outside_hours == "defer"
    assert not AuditEntry.objects.filter(model="accounts.organisation").exists()


def test_a_service_call_with_overnight_default_hours_is_refused(lead, org):
    from django.core.exceptions import ValidationError

    from safecontact.accounts.services import update_settings

    overnight = [{"day": 0, "start": "22:00", "end": "02:00"}]
    with pytest.raises(ValidationError, match="end time must be after"):
        update_settings(
            actor=lead, organisation=org, changes={"default_hours": overnight}
        )
    org.refresh_from_db()
    assert org.default_hours == []


# --- The gateway uses the default for a consent without hours ---------------------


@pytest.mark.usefixtures("sender")
def test_without_default_hours_a_consent_without_hours_blocks_hours_none_agreed(
    org, worker
):
    family = make_family(org, hours=[])
    message = send(worker, [family.child])
    assert message.status == Message.Status.BLOCKED
    assert "hours.none_agreed" in _rules(message)


@pytest.mark.usefixtures("sender")
def test_the_default_hours_apply_to_a_consent_without_hours_hours_agreed(org, worker):
    org.default_hours = [{"day": 1, "start": "09:00", "end": "12:00"}]
    org.save()
    family = make_family(org, hours=[])
    # Tuesday 10:00 is inside the default: it goes.
    inside = send(worker, [family.child])
    assert inside.status == Message.Status.QUEUED, inside.reasons
    # Tuesday 13:00 is outside: it waits for next Tuesday 09:00.
    with time_machine.travel(dt.datetime(2026, 3, 10, 13, 0, tzinfo=LONDON)):
        later = send(worker, [family.child])
    assert later.status == Message.Status.DEFERRED
    assert "hours.agreed" in _rules(later)
    assert later.deliver_at == dt.datetime(2026, 3, 17, 9, 0, tzinfo=LONDON)


@pytest.mark.usefixtures("sender")
def test_a_consents_own_hours_win_over_the_default_hours_agreed(org, worker):
    org.default_hours = [{"day": 1, "start": "09:00", "end": "12:00"}]
    org.save()
    family = make_family(org, hours=[{"day": 1, "start": "18:00", "end": "20:00"}])
    message = send(worker, [family.child])
    assert message.status == Message.Status.DEFERRED
    assert "hours.agreed" in _rules(message)


def _parents_group(org: Organisation, leader: Person) -> Group:
    """A parents' group with no agreed hours of its own, on email."""
    group = GroupFactory.create(
        organisation=org, audience="adults", age_min=None, age_max=None, hours=[]
    )
    GroupMemberFactory.create(group=group, person=leader, role="leader")
    for _ in range(2):
        GroupMemberFactory.create(group=group, person=ParentFactory(organisation=org))
    return group


@pytest.mark.usefixtures("sender")
def test_a_group_without_hours_of_its_own_keeps_the_default_hours_agreed(org, worker):
    group = _parents_group(org, worker.person)
    # No default: a parents' group has no hours to keep, it goes at once.
    assert send(worker, [], group=group).status == Message.Status.QUEUED
    org.default_hours = [{"day": 1, "start": "18:00", "end": "20:00"}]
    org.save()
    message = send(worker, [], group=group)  # Tuesday 10:00
    assert message.status == Message.Status.DEFERRED, message.reasons
    assert "hours.agreed" in _rules(message)
    assert message.deliver_at == dt.datetime(2026, 3, 10, 18, 0, tzinfo=LONDON)


@pytest.mark.usefixtures("sender")
def test_a_groups_own_hours_win_over_the_default_hours_agreed(org, worker):
    group = _parents_group(org, worker.person)
    group.hours = [{"day": 1, "start": "09:00", "end": "12:00"}]
    group.save()
    org.default_hours = [{"day": 1, "start": "18:00", "end": "20:00"}]
    org.save()
    message = send(worker, [], group=group)
    assert message.status == Message.Status.QUEUED, message.reasons
    assert "hours.agreed" not in _rules(message)


def test_the_consent_form_starts_from_the_default_hours(client, lead, org):
    org.default_hours = [{"day": d, "start": "16:00", "end": "19:00"} for d in (2, 3)]
    org.save()
    family = make_family(org)
    login(client, lead)
    page = client.get(reverse("people:consent", args=[family.child.code]))
    form = page.context["form"]
    assert form["days"].value() == [2, 3]
    assert (form["start"].value(), form["end"].value()) == ("16:00", "19:00")


# --- Retention ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("case_retention_years", "5", "from 6 to 100"),
        ("conduct_case_retention_years", "9", "from 10 to 100"),
        ("audit_retention_days", "7", "from 30 to 2190"),
        ("audit_retention_days", "5000", "from 30 to 2190"),
        ("notification_retention_days", "30", "from 31 to 730"),
        ("notification_retention_days", "731", "from 31 to 730"),
        ("case_retention_years", "", "This field is required"),
    ],
)
def test_retention_below_the_minimum_is_refused(
    client, lead, org, field, value, message
):
    login(client, lead)
    response = _save(client, org, **{field: value})
    assert response.status_code == HTTPStatus.OK
    assert message in response.context["form"].errors[field][0]
    org.refresh_from_db()
    assert not AuditEntry.objects.filter(model="accounts.organisation").exists()


def _closed(org, lead, category: str) -> Case:
    case = make_case(org)
    concerns.triage_case(
        actor=lead, case=case, category=category, risk="low", about="unsure",
        about_user=None,
    )  # fmt: skip
    return concerns.close_case(actor=lead, case=case, outcome="nfa")


def test_cases_are_purged_by_the_organisations_own_periods(client, lead, org, capsys):
    login(client, lead)
    assert _save(client, org, case_retention_years="8").status_code == 302
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        case = _closed(org, lead, "online_contact")
        allegation = _closed(org, lead, "worker_conduct")
    with time_machine.travel(start.replace(year=2034) + dt.timedelta(days=-1)):
        call_command("purge_expired_cases", "--apply")
        assert Case.objects.count() == 2  # 8 years, not the default 7
    with time_machine.travel(start.replace(year=2034) + dt.timedelta(days=1)):
        call_command("purge_expired_cases", "--apply")
        assert set(Case.objects.values_list("pk", flat=True)) == {allegation.pk}
    assert f"Deleted {case.reference}" in capsys.readouterr().out


def test_a_changed_audit_period_moves_each_audits_deletion_and_the_purge(
    client, lead, org, capsys
):
    group = GroupFactory.create(organisation=org)
    audit = finished_audit(group, lead)
    login(client, lead)
    assert _save(client, org, audit_retention_days="30").status_code == 302
    audit.refresh_from_db()
    assert audit.keep_until == audit.created_at + dt.timedelta(days=30)
    entry = AuditEntry.objects.get(model="accounts.organisation", action="update")
    assert entry.after is not None
    assert entry.after["audit_retention_days"] == 30
    with time_machine.travel(audit.created_at + dt.timedelta(days=31)):
        call_command("purge_group_audits", "--apply")
    assert not GroupAudit.objects.filter(pk=audit.pk).exists()


def test_the_audit_upload_page_says_the_real_period(client, lead, org):
    org.audit_retention_days = 90
    org.save()
    login(client, lead)
    page = client.get(reverse("audits:upload"))
    assert b"deleted 90 days after you upload it" in page.content
    assert b"a year" not in page.content


def test_a_new_organisation_starts_with_the_deployments_audit_period(settings):
    from safecontact.accounts.services import create_organisation

    settings.AUDIT_RETENTION_DAYS = 120
    org = create_organisation(name="Fresh Start Church")
    assert org.audit_retention_days == 120
    assert (org.case_retention_years, org.conduct_case_retention_years) == (7, 10)


def test_the_family_consent_form_starts_from_the_default_hours(client, org):
    from safecontact.families.tests.conftest import link_for
    from safecontact.people.tests.factories import (
        ChildFactory,
        ParentFactory,
        RelationshipFactory,
    )

    org.default_hours = [{"day": 5, "start": "10:00", "end": "12:00"}]
    org.save()
    child = ChildFactory.create(organisation=org)
    parent = ParentFactory.create(organisation=org)
    RelationshipFactory.create(person=child, carer=parent)
    token = link_for(parent).strip("/").split("/")[-1]
    page = client.get(reverse("families:consent", args=[token, child.code]))
    form = page.context["form"]
    assert form["days"].value() == [5]
    assert (form["start"].value(), form["end"].value()) == ("10:00", "12:00")
