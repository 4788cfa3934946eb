"""Risk assessment templates an umbrella body publishes reach its members
when they start an assessment (issue 12.3)."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.assessments import services
from safecontact.assessments.models import RiskAssessment
from safecontact.assessments.starters import (
    DEFAULT_SCORE,
    DEFAULT_WHO,
    MAX_TEMPLATE_HAZARDS,
    StarterHazard,
    read_template,
)
from safecontact.dashboard.models import UmbrellaMembership, UmbrellaTemplate

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Any]
TEMPLATE = """Use this for every youth group chat in the diocese.

## An adult who is not a checked volunteer joins the chat
Who might be harmed: Young people in the chat
Before: 3 x 5
After: 1 x 5
- Only two checked leaders are admins.
- Check the members against the register each term.

## Messages late at night
- Mute the group outside agreed hours.
"""


@pytest.fixture
def diocese(db: None) -> Organisation:
    return OrganisationFactory.create(name="Diocese of Examplebury")


@pytest.fixture
def diocese_lead(diocese: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("lead", diocese)


def join(diocese: Organisation, member: Organisation) -> None:
    UmbrellaMembership.objects.create(
        umbrella=diocese, member=member, accepted_at="2026-01-01T00:00Z"
    )


def publish(client: Any, kind: str = "risk_assessment") -> UmbrellaTemplate:
    response = client.post(
        reverse("dashboard:template_new"),
        {"kind": kind, "title": "Diocesan youth chats", "body": TEMPLATE},
    )
    assert response.status_code == HTTPStatus.FOUND
    return UmbrellaTemplate.objects.latest("id")


def test_a_member_starts_an_assessment_from_the_umbrellas_template(
    org: Organisation,
    lead: User,
    diocese: Organisation,
    diocese_lead: User,
    client_for: Clients,
) -> None:
    join(diocese, org)
    template = publish(client_for(diocese_lead))
    client = client_for(lead)
    membership = client.get(reverse("dashboard:membership")).content.decode()
    assert "start a risk assessment from it" in membership
    page = client.get(reverse("assessments:new")).content.decode()
    assert "Diocesan youth chats (from Diocese of Examplebury)" in page

    response = client.post(
        reverse("assessments:new"),
        {
            "title": "St Anne's youth chat",
            "activity": "group_chat",
            "from_template": "on",
            "umbrella_template": f"umbrella-{template.code}",
        },
    )
    assessment = RiskAssessment.objects.get(organisation=org)
    assert response["Location"] == assessment.get_absolute_url()
    assert assessment.description.startswith("Use this for every youth group")
    first, second = assessment.hazards.prefetch_related("controls")
    assert first.description.startswith("An adult who is not a checked")
    assert first.who_harmed == "Young people in the chat"
    assert (first.likelihood_before, first.impact_before) == (3, 5)
    assert (first.likelihood_after, first.impact_after) == (1, 5)
    assert [c.action for c in first.controls.all()] == [
        "Only two checked leaders are admins.",
        "Check the members against the register each term.",
    ]
    assert second.who_harmed == DEFAULT_WHO
    assert [c.action for c in second.controls.all()] == [
        "Mute the group outside agreed hours."
    ]


def test_without_an_umbrella_the_choice_is_not_offered(
    lead: User, client_for: Clients
) -> None:
    page = client_for(lead).get(reverse("assessments:new")).content.decode()
    assert "umbrella body" not in page


def test_policy_templates_are_not_offered_as_assessments(
    org: Organisation,
    lead: User,
    diocese: Organisation,
    diocese_lead: User,
    client_for: Clients,
) -> None:
    join(diocese, org)
    publish(client_for(diocese_lead), kind="policy")
    page = client_for(lead).get(reverse("assessments:new")).content.decode()
    assert "Diocesan youth chats" not in page


def test_another_umbrellas_template_is_refused_and_nothing_saved(
    org: Organisation, lead: User, diocese_lead: User, client_for: Clients
) -> None:
    template = publish(client_for(diocese_lead))  # org is not a member
    with pytest.raises(ValidationError):
        services.create_assessment(
            actor=lead,
            organisation=org,
            title="Chat",
            activity="group_chat",
            umbrella_template=f"umbrella-{template.code}",
        )
    assert not RiskAssessment.objects.exists()


def test_html_in_a_template_is_shown_as_text(
    org: Organisation,
    lead: User,
    diocese: Organisation,
    diocese_lead: User,
    client_for: Clients,
) -> None:
    join(diocese, org)
    template = UmbrellaTemplate.objects.create(
        umbrella=diocese,
        kind=UmbrellaTemplate.Kind.RISK_ASSESSMENT,
        title="Odd",
        body="## <script>alert(1)</script> hazard\n- <b>control</b>\n",
    )
    assessment = services.create_assessment(
        actor=lead,
        organisation=org,
        title="Chat",
        activity="group_chat",
        umbrella_template=f"umbrella-{template.code}",
    )
    page = client_for(lead).get(assessment.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<b>control" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hazard" in page


@pytest.mark.parametrize(
    ("body", "intro", "hazards"),
    [
        ("", "", ()),
        ("Just words.", "Just words.", ()),
        (
            "# A\nBefore: 4 x 4\n",
            "",
            (StarterHazard("A", DEFAULT_WHO, (4, 4), (4, 4), ()),),
        ),
        (
            "### B\nafter: 2\u00d73\n* one\n+ two\nstray line\n",
            "",
            (StarterHazard("B", DEFAULT_WHO, DEFAULT_SCORE, (2, 3), ("one", "two")),),
        ),
        (
            "## C\nBefore: 9 x 9\nWho might be harmed:\n",
            "",
            (StarterHazard("C", DEFAULT_WHO, DEFAULT_SCORE, DEFAULT_SCORE, ()),),
        ),
        # An empty heading starts nothing: what follows is still introduction.
        ("##\n- more words\n", "- more words", ()),
    ],
)
def test_reading_a_template(
    body: str, intro: str, hazards: tuple[StarterHazard, ...]
) -> None:
    assert read_template(body) == (intro, hazards)


def test_a_template_keeps_at_most_fifty_hazards() -> None:
    _, hazards = read_template("## Hazard\n" * (MAX_TEMPLATE_HAZARDS + 10))
    assert len(hazards) == MAX_TEMPLATE_HAZARDS
