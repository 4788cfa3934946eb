"""The risk assessment pages and their place on the attention list."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.assessments import selectors, services
from safecontact.assessments.models import RiskAssessment
from safecontact.groups.models import Platform
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db


def test_the_lead_assesses_a_group_and_signs_it_off(lead, client_for):
    group = GroupFactory.create(organisation=lead.organisation, name="Youth chat")
    client = client_for(lead)
    response = client.post(
        reverse("assessments:new"),
        {
            "title": "Youth WhatsApp group",
            "activity": "group_chat",
            "group": group.pk,
            "from_template": "on",
        },
    )
    assessment = RiskAssessment.objects.get()
    assert response.url == assessment.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "What SafeContact knows about Youth chat" in page
    assert "Draft: not signed off" in page
    assert "likelihood 3 \N{MULTIPLICATION SIGN} impact 5 = 15" in page

    client.post(reverse("assessments:sign_off", args=[assessment.code]))
    assessment.refresh_from_db()
    assert assessment.signed_off_by == lead
    printable = client.get(reverse("assessments:print", args=[assessment.code]))
    assert "css/print.css" in printable.content.decode()


def test_a_bad_hazard_shows_the_errors_and_saves_nothing(lead, client_for):
    assessment = services.create_assessment(
        actor=lead,
        organisation=lead.organisation,
        title="Zoom",
        activity="video",
        from_template=False,
    )
    response = client_for(lead).post(
        reverse("assessments:hazard_add", args=[assessment.code]),
        {"description": "", "who_harmed": "", "likelihood_before": "9"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "error-summary" in response.content.decode()
    assert not assessment.hazards.exists()


def test_workers_are_refused_and_trustees_read(lead, worker, trustee, client_for):
    assessment = services.create_assessment(
        actor=lead, organisation=lead.organisation, title="Zoom", activity="video"
    )
    hazard = assessment.hazards.first()
    worker_client = client_for(worker)
    for url in (
        reverse("assessments:list"),
        reverse("assessments:detail", args=[assessment.code]),
        reverse("assessments:new"),
        reverse("assessments:hazard_edit", args=[assessment.code, hazard.code]),
    ):
        assert worker_client.get(url).status_code == HTTPStatus.FORBIDDEN
    trustee_client = client_for(trustee)
    detail = reverse("assessments:detail", args=[assessment.code])
    assert trustee_client.get(detail).status_code == HTTPStatus.OK
    assert (
        trustee_client.post(
            reverse("assessments:sign_off", args=[assessment.code])
        ).status_code
        == HTTPStatus.FORBIDDEN
    )


def test_another_organisations_assessment_is_not_found(lead, client_for):
    assessment = services.create_assessment(
        actor=lead, organisation=lead.organisation, title="Zoom", activity="video"
    )
    hazard = assessment.hazards.first()
    other = client_for(
        UserFactory.create(role="lead", organisation=OrganisationFactory())
    )
    for url in (
        reverse("assessments:detail", args=[assessment.code]),
        reverse("assessments:print", args=[assessment.code]),
        reverse("assessments:hazard_edit", args=[assessment.code, hazard.code]),
    ):
        assert other.get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_flagged_assessment_is_on_the_attention_list(lead, client_for):
    group = GroupFactory.create(organisation=lead.organisation)
    assessment = services.create_assessment(
        actor=lead,
        organisation=lead.organisation,
        title="Youth chat",
        activity="group_chat",
        group=group,
    )
    services.sign_off(actor=lead, assessment=assessment)
    Platform.objects.filter(pk=group.platform_id).update(approved=False)
    url = reverse("people:attention") + "?category=risk_assessment"
    page = client_for(lead).get(url).content.decode()
    assert "Risk assessments to review" in page
    assert "is no longer approved" in page


def _queries(organisation) -> int:
    day = timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        selectors.attention(organisation, day)
    return len(ctx.captured_queries)


def test_the_attention_check_costs_the_same_queries_for_more_assessments(lead):
    def assess(n):
        for _ in range(n):
            group = GroupFactory.create(organisation=lead.organisation)
            GroupMemberFactory.create_batch(2, group=group)
            a = services.create_assessment(
                actor=lead,
                organisation=lead.organisation,
                title="Chat",
                activity="group_chat",
                group=group,
            )
            services.sign_off(actor=lead, assessment=a)

    assess(2)
    small = _queries(lead.organisation)
    assess(8)
    assert _queries(lead.organisation) == small
