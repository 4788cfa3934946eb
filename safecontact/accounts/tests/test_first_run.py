"""Getting started: sharing the report link is a real step the Lead marks."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.concerns.tests.factories import make_case
from safecontact.conftest import login

pytestmark = pytest.mark.django_db


def _progress(client) -> bytes:
    return client.get(reverse("accounts:first_run")).content


def test_the_report_link_page_gives_words_to_share_the_link(client, lead, org):
    login(client, lead)
    page = client.get(reverse("concerns:report_link")).content.decode()
    link = f"/report/{org.report_token}/"
    words = page[page.index('data-testid="newsletter-text"') :]
    assert link in words and "call 999" in words
    assert "I have shared the link" in page


def test_the_lead_marks_the_link_shared_and_progress_counts_it(client, lead, org):
    login(client, lead)
    # A concern being reported is not the same as the link being shared.
    make_case(org)
    assert b"0 of 6 done" in _progress(client)
    response = client.post(reverse("concerns:report_link"))
    assert response["Location"] == reverse("concerns:report_link")
    assert b"1 of 6 done" in _progress(client)
    org.refresh_from_db()
    shared = org.report_link_shared_at
    assert shared is not None
    entry = AuditEntry.objects.get(model="accounts.organisation", action="update")
    assert entry.actor == lead
    assert entry.before is not None and entry.after is not None
    assert entry.before["report_link_shared_at"] is None
    page = client.get(reverse("concerns:report_link"))
    assert b"You marked the link as shared on" in page.content
    assert b"I have shared the link" not in page.content
    # Marking again keeps the first date and writes nothing.
    client.post(reverse("concerns:report_link"))
    org.refresh_from_db()
    assert org.report_link_shared_at == shared
    assert AuditEntry.objects.filter(model="accounts.organisation").count() == 1


def test_a_deputy_may_mark_it_and_a_worker_may_not(client, deputy, worker, org):
    login(client, worker)
    assert (
        client.post(reverse("concerns:report_link")).status_code == HTTPStatus.FORBIDDEN
    )
    login(client, deputy)
    client.post(reverse("concerns:report_link"))
    org.refresh_from_db()
    assert org.report_link_shared_at is not None
