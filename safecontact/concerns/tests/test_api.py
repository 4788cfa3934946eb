from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from safecontact.accounts.services import create_api_key
from safecontact.audittrail.models import AuditEntry
from safecontact.concerns.models import Case, Referral
from safecontact.concerns.tests.factories import NARRATIVE, make_case

pytestmark = pytest.mark.django_db

BASE = "/api/v1/concerns"


def _key_client(user) -> Client:
    _, raw = create_api_key(actor=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def case(org):
    return make_case(org)


def test_anyone_in_the_organisation_can_report_a_concern(org, worker, lead):
    response = _key_client(worker).post(
        f"{BASE}/",
        {"narrative": "A parent added strangers to the group", "about": "outside"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    case = Case.objects.get()
    assert body["reference"] == case.reference and "code" not in body
    assert case.source == "api" and case.reported_by == worker


def test_reporting_about_a_colleague_by_code(org, worker, make_user):
    colleague = make_user("worker", org)
    _key_client(worker).post(
        f"{BASE}/",
        {"narrative": "x", "about": "inside", "about_user": str(colleague.code)},
        content_type="application/json",
    )
    assert Case.objects.get().about_user == colleague


def test_bad_report_input_is_a_422_with_details(org, worker, other_org, make_user):
    client = _key_client(worker)
    empty = client.post(f"{BASE}/", {"narrative": ""}, content_type="application/json")
    assert empty.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    outsider = make_user("worker", other_org)
    response = client.post(
        f"{BASE}/",
        {"narrative": "x", "about_user": str(outsider.code)},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "about_user" in response.json()["details"]


def test_anonymous_callers_are_refused(client, case):
    assert client.get(f"{BASE}/cases").status_code == HTTPStatus.UNAUTHORIZED
    assert (
        client.get(f"{BASE}/cases/{case.code}").status_code == HTTPStatus.UNAUTHORIZED
    )


def test_a_worker_gets_403_or_404_on_every_case_endpoint(case, worker):
    client = _key_client(worker)
    assert client.get(f"{BASE}/cases").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"{BASE}/cases/{case.code}").status_code == HTTPStatus.NOT_FOUND
    for path, body in (
        ("chronology", {"text": "x"}),
        ("referrals", {"agency": "ceop", "made_on": "2026-01-01"}),
    ):
        response = client.post(
            f"{BASE}/cases/{case.code}/{path}", body, content_type="application/json"
        )
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_lead_lists_and_reads_cases_and_the_read_is_recorded(case, lead):
    client = _key_client(lead)
    listing = client.get(f"{BASE}/cases").json()
    assert listing["count"] == 1 and listing["items"][0]["reference"] == case.reference
    detail = client.get(f"{BASE}/cases/{case.code}").json()
    assert detail["narrative"] == NARRATIVE and detail["chronology"]
    assert AuditEntry.objects.filter(
        action="export", object_code=str(case.code)
    ).exists()


def test_another_organisations_case_is_not_found(case, other_org, make_user):
    client = _key_client(make_user("lead", other_org))
    assert client.get(f"{BASE}/cases/{case.code}").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"{BASE}/cases").json()["count"] == 0


def test_the_lead_adds_a_chronology_entry(case, lead):
    response = _key_client(lead).post(
        f"{BASE}/cases/{case.code}/chronology",
        {"text": "Called the parent"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["text"] == "Called the parent"


def test_the_lead_records_a_referral(case, lead):
    response = _key_client(lead).post(
        f"{BASE}/cases/{case.code}/referrals",
        {
            "agency": "lado",
            "made_on": timezone.localdate().isoformat(),
            "reference_number": "L-77",
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert Referral.objects.get().reference_number == "L-77"


def test_a_bad_referral_is_a_422(case, lead):
    response = _key_client(lead).post(
        f"{BASE}/cases/{case.code}/referrals",
        {"agency": "ghostbusters", "made_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_wrong_method_is_refused(case, lead):
    response = _key_client(lead).delete(f"{BASE}/cases/{case.code}")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
