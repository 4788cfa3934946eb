"""Workers report from inside the app, optionally from an alert or log entry."""

from __future__ import annotations

import uuid
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safecontact.concerns.models import Case, Evidence
from safecontact.concerns.tests.factories import png_bytes
from safecontact.ledger.tests.factories import make_entries

pytestmark = pytest.mark.django_db


def test_a_worker_reports_a_concern_naming_a_colleague(
    org, lead, worker, make_user, client_for
):
    colleague = make_user("worker", org)
    client = client_for(worker)
    response = client.post(
        reverse("concerns:report"),
        {
            "narrative": "Saw a colleague message a child privately at 11pm",
            "about": "inside",
            "about_user": colleague.pk,
            "screenshots": [SimpleUploadedFile("a.png", png_bytes(), "image/png")],
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    case = Case.objects.get()
    assert case.about_user == colleague and case.reported_by == worker
    assert case.source == "in_app" and case.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page
    assert client.get(case.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_the_report_form_is_for_members_only(client, org):
    response = client.get(reverse("concerns:report"))
    assert response.status_code == HTTPStatus.FOUND


def test_a_concern_raised_from_a_log_entry_links_it_as_evidence(
    org, worker, client_for
):
    (entry,) = make_entries(org, 1)
    client = client_for(worker)
    page = client.get(reverse("concerns:report") + f"?entry={entry.code}")
    assert str(entry.code) in page.content.decode()
    client.post(
        reverse("concerns:report"),
        {
            "narrative": "This message asked a child to move to a private app",
            "about": "outside",
            "evidence_kind": "ledger_entry",
            "evidence_ref": str(entry.code),
        },
    )
    case = Case.objects.get()
    item = Evidence.objects.get(case=case)
    assert (item.kind, item.ref) == ("ledger_entry", str(entry.code))
    linked = case.chronology.get(kind="evidence")
    assert linked.occurred_at == entry.created_at and str(entry) in linked.text


def test_another_organisations_log_entry_cannot_be_linked(
    org, other_org, worker, client_for
):
    (entry,) = make_entries(other_org, 1)
    response = client_for(worker).post(
        reverse("concerns:report"),
        {
            "narrative": "x",
            "about": "outside",
            "evidence_kind": "ledger_entry",
            "evidence_ref": str(entry.code),
        },
    )
    assert "We could not find that record." in response.content.decode()
    assert not Case.objects.exists()


def test_an_unknown_alert_cannot_be_linked(org, worker, client_for):
    response = client_for(worker).post(
        reverse("concerns:report"),
        {
            "narrative": "x",
            "about": "outside",
            "evidence_kind": "alert",
            "evidence_ref": str(uuid.uuid4()),
        },
    )
    assert "We could not find that record." in response.content.decode()


def test_a_malformed_evidence_reference_is_refused(org, worker, client_for):
    response = client_for(worker).post(
        reverse("concerns:report"),
        {
            "narrative": "x",
            "about": "outside",
            "evidence_kind": "ledger_entry",
            "evidence_ref": "not-a-code",
        },
    )
    assert "That evidence reference is not valid." in response.content.decode()
    assert not Case.objects.exists()
