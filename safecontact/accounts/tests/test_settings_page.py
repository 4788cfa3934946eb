from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.accounts.models import Organisation
from safecontact.audittrail.models import AuditEntry
from safecontact.conftest import login

pytestmark = pytest.mark.django_db


def settings_form(org: Organisation, **changes: object) -> dict[str, object]:
    data = {
        "name": org.name,
        "email_from": org.email_from,
        "inbox_address": org.inbox_address,
        "timezone": org.timezone,
        "copy_policy": org.copy_policy,
        "outside_hours": org.outside_hours,
        "content_hold_threshold": org.content_hold_threshold,
        "vetting_renewal_years": org.vetting_renewal_years,
        "training_renewal_years": org.training_renewal_years,
        "case_retention_years": org.case_retention_years,
        "conduct_case_retention_years": org.conduct_case_retention_years,
        "audit_retention_days": org.audit_retention_days,
        "notification_retention_days": org.notification_retention_days,
        "consent_renewal_months": org.consent_renewal_months,
        "consent_notice_days": org.consent_notice_days,
    }
    return {**data, **changes}


def test_the_lead_changes_settings_and_each_change_is_audited(client, lead, org):
    login(client, lead)
    response = client.post(
        reverse("accounts:settings"),
        settings_form(
            org,
            outside_hours="block",
            copy_policy="second_adult",
            timezone="Europe/Dublin",
            consent_notice_days=45,
        ),
    )
    assert response.status_code == HTTPStatus.FOUND
    org.refresh_from_db()
    assert (org.consent_notice_days, org.consent_renewal_months) == (45, 12)
    assert (org.outside_hours, org.copy_policy, org.timezone) == (
        "block",
        "second_adult",
        "Europe/Dublin",
    )
    entry = AuditEntry.objects.get(model="accounts.organisation", action="update")
    assert entry.before and entry.after
    assert entry.before["outside_hours"] == "defer"
    assert entry.after["outside_hours"] == "block"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", b"not a time zone we know"),
        ("vetting_renewal_years", "0", b"from 1 to 10"),
        ("training_renewal_years", "99", b"from 1 to 10"),
        ("consent_renewal_months", "0", b"from 1 to 36"),
        ("consent_notice_days", "400", b"from 1 to 180"),
        ("email_from", "not-an-email", b"valid email"),
        ("name", "", b"This field is required"),
    ],
)
def test_bad_settings_are_refused_clearly_and_nothing_is_saved(
    client, lead, org, field, value, message
):
    login(client, lead)
    response = client.post(
        reverse("accounts:settings"),
        settings_form(org, outside_hours="block", **{field: value}),
    )
    assert response.status_code == HTTPStatus.OK
    assert b"error-summary" in response.content
    assert message in response.content
    org.refresh_from_db()
    assert org.outside_hours == "defer"
    assert not AuditEntry.objects.filter(model="accounts.organisation").exists()


def test_the_settings_page_links_to_purposes(client, lead):
    login(client, lead)
    page = client.get(reverse("accounts:settings"))
    assert reverse("groups:purposes").encode() in page.content


def test_only_the_lead_changes_settings(client, deputy):
    login(client, deputy)
    assert client.get(reverse("accounts:settings")).status_code == HTTPStatus.FORBIDDEN


def test_first_run_progress_comes_from_real_state(client, lead, org):
    login(client, lead)
    page = client.get(reverse("accounts:first_run"))
    assert page.context["done"] == 0 and page.context["total"] == 6
    client.post(reverse("accounts:settings"), settings_form(org, outside_hours="block"))
    page = client.get(reverse("accounts:first_run"))
    assert b"1 of 6 done" in page.content
