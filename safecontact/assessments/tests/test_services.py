"""Writing, signing off and reviewing risk assessments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safecontact.assessments import selectors, services
from safecontact.assessments.models import Control, Hazard, RiskAssessment
from safecontact.audittrail.models import AuditEntry
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.models import VettingCheck
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    WorkerFactory,
)
from safeguarding.assessment import concerns

pytestmark = pytest.mark.django_db


def _assessment(lead, group=None, **kw):
    return services.create_assessment(
        actor=lead,
        organisation=lead.organisation,
        title="Youth WhatsApp group",
        activity=RiskAssessment.Activity.GROUP_CHAT,
        group=group,
        **kw,
    )


def test_a_template_fills_in_hazards_and_controls(lead):
    assessment = _assessment(lead)
    hazards = list(assessment.hazards.all())
    assert len(hazards) == 5
    assert Control.objects.filter(hazard__assessment=assessment).count() >= 5
    blank = _assessment(lead, from_template=False)
    assert not blank.hazards.exists()


def test_only_the_lead_writes_assessments(lead, worker, trustee):
    for actor in (worker, trustee):
        with pytest.raises(PermissionDenied):
            services.create_assessment(
                actor=actor,
                organisation=lead.organisation,
                title="x",
                activity="other",
            )


def test_another_organisations_group_is_refused(lead, other_org):
    group = GroupFactory.create(organisation=other_org)
    with pytest.raises(ValidationError):
        _assessment(lead, group)
    assert not RiskAssessment.objects.exists()


def test_scores_must_be_on_the_scale(lead):
    assessment = _assessment(lead, from_template=False)
    with pytest.raises(ValidationError) as caught:
        services.save_hazard(
            actor=lead,
            assessment=assessment,
            description="Strangers join",
            who_harmed="Children",
            likelihood_before=6,
            impact_before=3,
            likelihood_after=1,
            impact_after=0,
        )
    assert set(caught.value.message_dict) == {"likelihood_before", "likelihood_after"}
    assert not Hazard.objects.exists()


def test_signing_off_keeps_the_groups_facts_and_sets_a_review(lead):
    group = GroupFactory.create(organisation=lead.organisation)
    child = GroupMemberFactory.create(group=group).person
    ConsentFactory.create(subject=child, organisation=lead.organisation)
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead, group))
    facts = assessment.signed_facts or {}
    assert facts["members"] == 1
    assert facts["unchecked_adults"] == 0
    today = timezone.localdate()
    assert assessment.review_due == today.replace(year=today.year + 1)


def test_a_change_after_sign_off_needs_a_new_sign_off(lead):
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead))
    hazard = assessment.hazards.get(position=0)
    services.add_control(actor=lead, hazard=hazard, action="Two admins at all times")
    assessment.refresh_from_db()
    assert not assessment.is_signed_off
    assert AuditEntry.objects.filter(
        model="assessments.riskassessment", action="update"
    ).exists()


def test_a_control_in_place_does_not_undo_the_sign_off(lead):
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead))
    control = Control.objects.filter(hazard__assessment=assessment).earliest("id")
    services.complete_control(actor=lead, control=control)
    assessment.refresh_from_db()
    assert assessment.is_signed_off


def test_an_empty_assessment_cannot_be_signed_off(lead):
    with pytest.raises(ValidationError, match="at least one hazard"):
        services.sign_off(actor=lead, assessment=_assessment(lead, from_template=False))


def test_an_adult_whose_check_lapses_flags_the_assessment(lead):
    group = GroupFactory.create(organisation=lead.organisation)
    helper = WorkerFactory.create(organisation=lead.organisation)
    GroupMemberFactory.create(group=group, person=helper, role="leader")
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead, group))
    day = timezone.localdate()

    def reasons():
        facts = selectors.group_facts(lead.organisation, [group], day)
        return selectors.standings([assessment], day, facts)[0].reasons

    assert reasons() == ()
    VettingCheck.objects.filter(person=helper).update(
        renewal_due=day - dt.timedelta(days=1)
    )
    assert reasons() == ("An adult in the group is now without a current DBS check.",)


def test_a_child_who_turns_18_in_the_group_flags_the_assessment(lead):
    """Nobody adds an unchecked adult: a member grows into one. The register
    then counts them as an adult without a check (group.uncleared_adult would
    refuse them as a new member) and the signed-off assessment is flagged."""
    group = GroupFactory.create(organisation=lead.organisation)
    today = timezone.localdate()
    eighteen_soon = dt.date(today.year - 18, today.month, min(today.day, 28))
    child = ChildFactory.create(
        organisation=lead.organisation,
        date_of_birth=eighteen_soon + dt.timedelta(days=10),
    )
    GroupMemberFactory.create(group=group, person=child)
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead, group))
    later = today + dt.timedelta(days=40)
    facts = selectors.group_facts(lead.organisation, [group], later)
    reasons = selectors.standings([assessment], later, facts)[0].reasons
    assert "An adult in the group is now without a current DBS check." in reasons


def test_the_default_hours_count_as_a_groups_agreed_hours(lead):
    """The "hours agreed" fact asks the gateway's question: a group without
    hours of its own keeps the organisation's default."""
    org = lead.organisation
    group = GroupFactory.create(organisation=org, hours=[])
    day = timezone.localdate()

    def facts():
        return selectors.group_facts(org, [group], day)[group.pk]

    assert not facts().hours_agreed
    assert "hours" in {c.key for c in concerns(facts())}
    org.default_hours = [{"day": 1, "start": "18:00", "end": "20:00"}]
    org.save()
    assert facts().hours_agreed
    assert "hours" not in {c.key for c in concerns(facts())}
    assessment = services.sign_off(actor=lead, assessment=_assessment(lead, group))
    org.default_hours = []
    org.save()
    standing = selectors.standings([assessment], day, {group.pk: facts()})[0]
    assert standing.reasons == ("The group's agreed hours were removed.",)
