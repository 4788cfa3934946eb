"""The case file pages: who may open them, and what each form records."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from safecontact.audittrail.models import AuditEntry
from safecontact.concerns import services
from safecontact.concerns.models import Case, ChronologyEntry, Referral, Tombstone
from safecontact.concerns.tests.factories import NARRATIVE, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org):
    return make_case(org, images=1)


def _pages(case):
    code = case.code
    attachment = case.attachments.get().code
    return [
        reverse("concerns:detail", args=[code]),
        reverse("concerns:summary", args=[code]),
        reverse("concerns:close", args=[code]),
        reverse("concerns:delete", args=[code]),
        reverse("concerns:attachment", args=[code, attachment]),
    ]


POSTS = [
    "triage",
    "add_entry",
    "add_action",
    "add_decision",
    "add_referral",
    "add_evidence",
    "share",
]


def test_anonymous_visitors_are_sent_to_log_in(client, case):
    for url in [reverse("concerns:list"), *_pages(case)]:
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_worker_cannot_open_any_case_page(case, worker, client_for):
    client = client_for(worker)
    assert case.reference not in client.get(reverse("concerns:list")).content.decode()
    for url in _pages(case):
        assert client.get(url).status_code in (
            HTTPStatus.NOT_FOUND,
            HTTPStatus.FORBIDDEN,
        )
    for name in POSTS:
        url = reverse(f"concerns:{name}", args=[case.code])
        assert client.post(url, {}).status_code == HTTPStatus.NOT_FOUND


def test_a_trustee_who_is_not_named_cannot_open_a_case(case, lead, trustee, client_for):
    assert client_for(trustee).get(case.get_absolute_url()).status_code == 404


def test_another_organisations_case_is_not_found(
    case, other_org, make_user, client_for
):
    outsider = make_user("lead", other_org)
    client = client_for(outsider)
    for url in _pages(case):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_the_lead_sees_the_case_and_the_view_is_recorded(case, lead, client_for):
    response = client_for(lead).get(case.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert NARRATIVE in html and case.reference in html
    assert AuditEntry.objects.filter(action="view", object_code=str(case.code)).exists()


def test_a_shared_worker_can_read_but_not_change_it(case, lead, worker, client_for):
    services.share_case(actor=lead, case=case, user=worker)
    client = client_for(worker)
    assert client.get(case.get_absolute_url()).status_code == HTTPStatus.OK
    url = reverse("concerns:add_entry", args=[case.code])
    assert client.post(url, {"text": "x"}).status_code == HTTPStatus.FORBIDDEN


def test_case_forms_refuse_get(case, lead, client_for):
    client = client_for(lead)
    for name in POSTS:
        url = reverse(f"concerns:{name}", args=[case.code])
        assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_triage_opens_the_case_and_writes_the_chronology(case, lead, client_for):
    response = client_for(lead).post(
        reverse("concerns:triage", args=[case.code]),
        {"category": "grooming", "risk": "high", "about": "outside"},
    )
    assert response.status_code == HTTPStatus.FOUND
    case.refresh_from_db()
    assert (case.status, case.category, case.risk) == ("open", "grooming", "high")
    assert case.chronology.filter(kind="triage").exists()
    assert AuditEntry.objects.filter(
        action="update", object_code=str(case.code)
    ).exists()


def test_bad_triage_input_is_explained(case, lead, client_for):
    response = client_for(lead).post(
        reverse("concerns:triage", args=[case.code]), {"category": "made-up"}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "Select a valid choice" in response.content.decode()


def test_the_lead_adds_a_chronology_entry(case, lead, client_for):
    when = (timezone.localtime() - datetime.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    client_for(lead).post(
        reverse("concerns:add_entry", args=[case.code]),
        {"text": "Spoke to the parent", "occurred_at": when},
    )
    entry = case.chronology.get(kind="manual")
    assert entry.text == "Spoke to the parent" and entry.author == lead


def test_an_action_with_an_owner_and_due_date_can_be_completed(
    case, lead, deputy, client_for
):
    client = client_for(lead)
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    client.post(
        reverse("concerns:add_action", args=[case.code]),
        {"description": "Call the LADO", "owner": deputy.pk, "due_on": due},
    )
    action = case.actions.get()
    assert action.owner == deputy and action.description == "Call the LADO"
    client.post(reverse("concerns:complete_action", args=[case.code, action.code]))
    action.refresh_from_db()
    assert action.done_at is not None


def test_an_action_due_in_the_past_is_refused(case, lead, client_for):
    response = client_for(lead).post(
        reverse("concerns:add_action", args=[case.code]),
        {"description": "x", "owner": lead.pk, "due_on": "2000-01-01"},
    )
    assert "The due date is in the past." in response.content.decode()


def test_a_decision_keeps_its_rationale(case, lead, client_for):
    client_for(lead).post(
        reverse("concerns:add_decision", args=[case.code]),
        {"decision": "Refer to CEOP", "rationale": "Adult asked a child for images"},
    )
    assert case.decisions.get().rationale == "Adult asked a child for images"
    assert case.chronology.filter(kind="decision").exists()


def test_a_lado_referral_is_recorded_with_its_reference(case, lead, client_for):
    client_for(lead).post(
        reverse("concerns:add_referral", args=[case.code]),
        {
            "agency": "lado",
            "made_on": timezone.localdate().isoformat(),
            "reference_number": "LADO-2026-0042",
        },
    )
    referral = Referral.objects.get()
    assert referral.agency == "lado" and referral.made_by == lead
    assert referral.reference_number == "LADO-2026-0042"
    assert "LADO-2026-0042" in case.chronology.get(kind="referral").text


def test_a_referral_in_the_future_is_refused(case, lead, client_for):
    response = client_for(lead).post(
        reverse("concerns:add_referral", args=[case.code]),
        {"agency": "ceop", "made_on": "2999-01-01"},
    )
    assert "cannot be in the future" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_summary_is_printable_and_recorded_as_an_export(case, lead, client_for):
    services.record_decision(actor=lead, case=case, decision="D", rationale="Because")
    html = client_for(lead).get(reverse("concerns:summary", args=[case.code])).content
    text = html.decode()
    assert "Safeguarding referral summary" in text and "Chronology" in text
    assert "Because" in text and "Screenshot 1" in text
    assert AuditEntry.objects.filter(
        action="export", object_code=str(case.code)
    ).exists()


def test_a_screenshot_is_served_only_to_those_who_may_see_it(
    case, lead, worker, client_for
):
    url = _pages(case)[-1]
    response = client_for(lead).get(url)
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response["Cache-Control"] == "no-store"
    assert client_for(worker).get(url).status_code == HTTPStatus.NOT_FOUND


def test_closing_needs_triage_then_records_the_outcome(case, lead, client_for):
    client = client_for(lead)
    url = reverse("concerns:close", args=[case.code])
    response = client.post(url, {"outcome": "nfa"})
    assert "Triage the case before closing it." in response.content.decode()
    services.triage_case(
        actor=lead, case=case, category="other", risk="low", about="unsure",
        about_user=None,
    )  # fmt: skip
    client.post(url, {"outcome": "nfa", "note": "Parent satisfied"})
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.outcome == "nfa"


def test_the_lead_deletes_a_case_with_a_reason_and_a_tombstone_remains(
    case, lead, client_for
):
    url = reverse("concerns:delete", args=[case.code])
    client = client_for(lead)
    response = client.post(url, {"reason": "Entered twice"})
    assert "This field is required." in response.content.decode()
    client.post(url, {"reason": "Entered twice", "confirm": "on"})
    assert not Case.objects.exists() and not ChronologyEntry.objects.exists()
    tombstone = Tombstone.objects.get()
    assert tombstone.reference == case.reference and tombstone.deleted_by == lead
    assert tombstone.reason == "Entered twice"
    assert AuditEntry.objects.filter(
        action="delete", object_code=str(case.code)
    ).exists()
    page = client.get(reverse("concerns:deleted")).content.decode()
    assert case.reference in page and "Entered twice" in page


def test_a_deputy_can_delete_but_a_shared_worker_cannot(case, lead, worker, client_for):
    services.share_case(actor=lead, case=case, user=worker)
    url = reverse("concerns:delete", args=[case.code])
    response = client_for(worker).post(url, {"reason": "x", "confirm": "on"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Case.objects.exists()


def test_the_case_list_is_paginated_and_filters_by_status(org, lead, client_for):
    for _ in range(27):
        make_case(org)
    client = client_for(lead)
    assert "Page 1 of 2" in client.get(reverse("concerns:list")).content.decode()
    closed = client.get(reverse("concerns:list") + "?status=closed").content.decode()
    assert "There are no cases for you to see." in closed


def test_sharing_and_unsharing_are_recorded(case, lead, worker, client_for):
    client = client_for(lead)
    client.post(reverse("concerns:share", args=[case.code]), {"user": worker.pk})
    share = case.shares.get()
    client.post(reverse("concerns:unshare", args=[case.code, share.code]))
    assert not case.shares.exists()
    assert case.chronology.filter(kind="share").count() == 2


def test_the_lead_links_a_log_entry_and_it_joins_the_chronology(case, lead, client_for):
    from safecontact.ledger.tests.factories import make_entries

    (entry,) = make_entries(case.organisation, 1)
    client = client_for(lead)
    url = reverse("concerns:add_evidence", args=[case.code])
    bad = client.post(url, {"kind": "ledger_entry", "ref": "nonsense"})
    assert "That is not a record code." in bad.content.decode()
    client.post(url, {"kind": "ledger_entry", "ref": str(entry.code)})
    linked = case.chronology.get(kind="evidence")
    assert linked.occurred_at == entry.created_at
    page = client.get(case.get_absolute_url()).content.decode()
    assert entry.get_absolute_url() in page
