"""The policy pages: the Lead writes and publishes; everyone reads."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.people.tests.factories import WorkerFactory
from safecontact.policies.models import Acknowledgement, Policy
from safecontact.policies.tests.factories import in_force, published_policy

pytestmark = pytest.mark.django_db


def test_the_lead_starts_from_a_template_edits_and_publishes(lead, client_for):
    client = client_for(lead)
    response = client.post(reverse("policies:new"), {"starter": "social"})
    policy = Policy.objects.get()
    assert response.url == reverse("policies:edit", args=[policy.code])
    assert policy.title == "Managing social media and group chats"

    response = client.post(
        reverse("policies:edit", args=[policy.code]),
        {
            "title": "Our group chats",
            "area": "social_media",
            "audience": "children",
            "owner": lead.pk,
            "review_months": "6",
            "body": "# Group chats\n\nTwo adults in every group.",
            "change_note": "First version",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    client.post(reverse("policies:publish", args=[policy.code]))
    policy.refresh_from_db()
    assert policy.title == "Our group chats"
    version = in_force(policy)
    assert version is not None and version.number == 1
    assert "Two adults in every group" in version.body


def test_bad_settings_show_a_summary_and_save_nothing(lead, client_for):
    policy = published_policy(lead, "data")
    response = client_for(lead).post(
        reverse("policies:edit", args=[policy.code]),
        {
            "title": "",
            "area": "data",
            "audience": "everyone",
            "review_months": "0",
            "blocks_contact": "on",
            "body": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "error-summary" in page
    assert "Only a code of conduct can stop contact rights" in page
    assert policy.versions.count() == 1


def test_html_in_a_policy_is_shown_as_text_not_run(lead, client_for):
    policy = published_policy(lead, "data")
    client = client_for(lead)
    hostile = (
        "# Data\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) and [ok](https://example.org)"
    )
    client.post(
        reverse("policies:edit", args=[policy.code]),
        {
            "title": policy.title,
            "area": "data",
            "audience": "everyone",
            "review_months": "12",
            "body": hostile,
        },
    )
    client.post(reverse("policies:publish", args=[policy.code]))
    page = client.get(reverse("policies:detail", args=[policy.code])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert '<a href="https://example.org">ok</a>' in page


def test_a_worker_reads_and_acknowledges(lead, worker, client_for):
    person = WorkerFactory.create(organisation=lead.organisation, user=worker)
    policy = published_policy(lead, blocks_contact=True)
    client = client_for(worker)
    listing = client.get(reverse("policies:list")).content.decode()
    assert "You have 1 policy to read and acknowledge" in listing
    page = client.get(reverse("policies:detail", args=[policy.code])).content.decode()
    assert "cannot contact children or adults at risk" in page
    version = in_force(policy)
    client.post(
        reverse("policies:acknowledge", args=[policy.code]),
        {"version": str(version.code)},
    )
    assert Acknowledgement.objects.filter(person=person, version=version).exists()
    listing = client.get(reverse("policies:list")).content.decode()
    assert "to read and acknowledge" not in listing


def test_an_acknowledgement_of_a_replaced_version_is_refused(lead, worker, client_for):
    WorkerFactory.create(organisation=lead.organisation, user=worker)
    policy = published_policy(lead)
    old = in_force(policy)
    lead_client = client_for(lead)
    lead_client.post(
        reverse("policies:edit", args=[policy.code]),
        {
            "title": policy.title,
            "area": "conduct",
            "audience": "everyone",
            "review_months": "12",
            "body": "# Changed",
        },
    )
    lead_client.post(reverse("policies:publish", args=[policy.code]))
    response = client_for(worker).post(
        reverse("policies:acknowledge", args=[policy.code]),
        {"version": str(old.code)},
        follow=True,
    )
    assert "The policy has changed since you opened it" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_workers_cannot_write_and_drafts_are_hidden(lead, worker, trustee, client_for):
    policy = published_policy(lead)
    draft_only = Policy.objects.create(
        organisation=lead.organisation, title="Secret draft", area="other"
    )
    client = client_for(worker)
    for name in ("new",):
        assert client.get(reverse(f"policies:{name}")).status_code == 403
    for name in ("edit", "publish", "acknowledgements"):
        url = reverse(f"policies:{name}", args=[policy.code])
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert (
        client.get(reverse("policies:detail", args=[draft_only.code])).status_code
        == HTTPStatus.NOT_FOUND
    )
    assert "Secret draft" not in client.get(reverse("policies:list")).content.decode()
    assert (
        client_for(trustee)
        .get(reverse("policies:print", args=[policy.code]))
        .status_code
        == HTTPStatus.OK
    )


def test_another_organisations_policy_is_not_found(lead, client_for):
    policy = published_policy(lead)
    other_lead = UserFactory.create(role="lead", organisation=OrganisationFactory())
    client = client_for(other_lead)
    for name in ("detail", "print", "edit", "acknowledgements"):
        url = reverse(f"policies:{name}", args=[policy.code])
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_the_lead_records_a_signed_paper_copy(lead, client_for):
    person = WorkerFactory.create(organisation=lead.organisation, first_name="Pat")
    policy = published_policy(lead)
    client = client_for(lead)
    url = reverse("policies:acknowledgements", args=[policy.code])
    assert "0 of" in client.get(url).content.decode()
    client.post(url, {"person": str(person.code), "on": "2999-01-01"})
    assert not Acknowledgement.objects.exists()
    client.post(
        url, {"person": str(person.code), "on": timezone.localdate().isoformat()}
    )
    assert Acknowledgement.objects.get().how == "paper"


def test_the_printable_version_stands_alone(lead, client_for):
    policy = published_policy(lead, "storage")
    page = client_for(lead).get(reverse("policies:print", args=[policy.code]))
    html = page.content.decode()
    assert "css/print.css" in html
    assert "Version 1" in html
    assert "site-header" not in html
