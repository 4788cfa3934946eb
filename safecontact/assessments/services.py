"""Every write to risk assessments, hazards and controls goes through here.

A change to a signed-off assessment returns it to draft: what the Lead
signed is never silently different from what is on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.assessments.models import Control, Hazard, RiskAssessment
from safecontact.assessments.selectors import group_facts
from safecontact.assessments.starters import (
    STARTERS,
    StarterHazard,
    umbrella_starters,
)
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.groups.models import Group
from safecontact.lib.access import require_lead
from safecontact.lib.dates import org_today
from safeguarding.assessment import AssessmentError, score
from safeguarding.governance import next_review

REVIEW_MONTHS = 12
HAZARD_FIELDS = (
    "description",
    "who_harmed",
    "likelihood_before",
    "impact_before",
    "likelihood_after",
    "impact_after",
)


def _unsign(actor: User, assessment: RiskAssessment) -> None:
    """A signed-off assessment that changes needs signing off again."""
    if not assessment.is_signed_off:
        return
    before = snapshot(assessment)
    assessment.signed_off_at = None
    assessment.signed_off_by = None
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=assessment,
        before=before,
        update_fields=["signed_off_at", "signed_off_by"],
    )


def _check_group(organisation: Organisation, group: Group | None) -> None:
    if group is not None and group.organisation_id != organisation.pk:
        raise ValidationError({"group": "Choose one of your organisation's groups."})


def _check_scores(values: dict[str, Any]) -> None:
    errors = {}
    for when in ("before", "after"):
        try:
            score(int(values[f"likelihood_{when}"]), int(values[f"impact_{when}"]))
        except (AssessmentError, TypeError, ValueError):
            errors[f"likelihood_{when}"] = "Likelihood and impact are each from 1 to 5."
    if not str(values.get("description", "")).strip():
        errors["description"] = "Say what could happen."
    if not str(values.get("who_harmed", "")).strip():
        errors["who_harmed"] = "Say who might be harmed."
    if errors:
        raise ValidationError(errors)


@transaction.atomic(durable=True)
def create_assessment(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    activity: str,
    group: Group | None = None,
    description: str = "",
    from_template: bool = True,
    umbrella_template: str = "",
) -> RiskAssessment:
    """A draft assessment, with the template's hazards and controls for the
    activity, or those of a template from the organisation's umbrella body
    (``umbrella_template``, a key of ``umbrella_starters``)."""
    require_lead(actor, organisation)
    _check_group(organisation, group)
    hazards = STARTERS.get(activity, ()) if from_template else ()
    if umbrella_template:
        chosen = umbrella_starters(organisation).get(umbrella_template)
        if chosen is None:
            raise ValidationError(
                {"umbrella_template": "Choose one of your umbrella body's templates."}
            )
        hazards = chosen.hazards
        description = description.strip() or chosen.description
    assessment = RiskAssessment(
        organisation=organisation,
        title=title.strip(),
        activity=activity,
        group=group,
        description=description.strip(),
        created_by=actor,
    )
    assessment.full_clean()
    save_and_record(actor=actor, organisation=organisation, obj=assessment, before=None)
    _add_starters(assessment, hazards)
    return assessment


def _add_starters(
    assessment: RiskAssessment, starters: tuple[StarterHazard, ...]
) -> None:
    for position, starter in enumerate(starters):
        hazard = Hazard.objects.create(
            assessment=assessment,
            description=starter.description,
            who_harmed=starter.who_harmed,
            likelihood_before=starter.before[0],
            impact_before=starter.before[1],
            likelihood_after=starter.after[0],
            impact_after=starter.after[1],
            position=position,
        )
        Control.objects.bulk_create(
            Control(hazard=hazard, action=text) for text in starter.controls
        )


@transaction.atomic(durable=True)
def update_assessment(
    *, actor: User, assessment: RiskAssessment, **changes: Any
) -> RiskAssessment:
    require_lead(actor, assessment.organisation_id)
    allowed = {"title", "activity", "group", "description"}
    if set(changes) - allowed:
        raise ValueError(f"Not an assessment field: {sorted(set(changes) - allowed)}")
    _check_group(assessment.organisation, changes.get("group"))
    before = snapshot(assessment)
    for name, value in changes.items():
        setattr(assessment, name, value.strip() if isinstance(value, str) else value)
    assessment.full_clean()
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=assessment,
        before=before,
    )
    _unsign(actor, assessment)
    return assessment


@transaction.atomic(durable=True)
def save_hazard(
    *,
    actor: User,
    assessment: RiskAssessment,
    hazard: Hazard | None = None,
    **values: Any,
) -> Hazard:
    """Add a hazard, or change one, with its scores before and after controls."""
    require_lead(actor, assessment.organisation_id)
    _check_scores(values)
    before = None
    if hazard is None:
        last = assessment.hazards.aggregate(n=Max("position"))["n"]
        hazard = Hazard(assessment=assessment, position=0 if last is None else last + 1)
    else:
        before = snapshot(hazard)
    for name in HAZARD_FIELDS:
        value = values[name]
        setattr(hazard, name, value.strip() if isinstance(value, str) else int(value))
    save_and_record(
        actor=actor, organisation=assessment.organisation, obj=hazard, before=before
    )
    _unsign(actor, assessment)
    return hazard


@transaction.atomic(durable=True)
def delete_hazard(*, actor: User, hazard: Hazard) -> None:
    assessment = hazard.assessment
    require_lead(actor, assessment.organisation_id)
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=hazard,
        before=snapshot(hazard),
        action="delete",
    )
    hazard.delete()
    _unsign(actor, assessment)


@transaction.atomic(durable=True)
def add_control(
    *,
    actor: User,
    hazard: Hazard,
    action: str,
    owner: User | None = None,
    due: dt.date | None = None,
) -> Control:
    assessment = hazard.assessment
    require_lead(actor, assessment.organisation_id)
    if not action.strip():
        raise ValidationError({"action": "Say what will be done."})
    if owner is not None and owner.organisation_id != assessment.organisation_id:
        raise ValidationError({"owner": "Choose someone in your organisation."})
    control = Control.objects.create(
        hazard=hazard, action=action.strip(), owner=owner, due=due
    )
    save_and_record(
        actor=actor, organisation=assessment.organisation, obj=control, before=None
    )
    _unsign(actor, assessment)
    return control


@transaction.atomic(durable=True)
def complete_control(
    *, actor: User, control: Control, on: dt.date | None = None
) -> Control:
    """Record that a control is in place (this does not need a new sign-off)."""
    assessment = control.hazard.assessment
    require_lead(actor, assessment.organisation_id)
    before = snapshot(control)
    control.done_on = on or org_today(assessment.organisation)
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=control,
        before=before,
        update_fields=["done_on"],
    )
    return control


@transaction.atomic(durable=True)
def sign_off(
    *, actor: User, assessment: RiskAssessment, now: dt.datetime | None = None
) -> RiskAssessment:
    """The Lead accepts the assessment; today's facts about its group are kept."""
    require_lead(actor, assessment.organisation_id)
    if not assessment.hazards.exists():
        raise ValidationError("Add at least one hazard before signing off.")
    now = now or timezone.now()
    day = org_today(assessment.organisation, now)
    before = snapshot(assessment)
    facts = None
    if assessment.group is not None:
        facts = group_facts(assessment.organisation, [assessment.group], day)[
            assessment.group.pk
        ].as_dict()
    assessment.signed_off_at = now
    assessment.signed_off_by = actor
    assessment.signed_facts = facts
    assessment.review_due = next_review(day, REVIEW_MONTHS)
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=assessment,
        before=before,
    )
    return assessment


@transaction.atomic(durable=True)
def set_archived(
    *, actor: User, assessment: RiskAssessment, archived: bool
) -> RiskAssessment:
    require_lead(actor, assessment.organisation_id)
    before = snapshot(assessment)
    assessment.archived_at = timezone.now() if archived else None
    save_and_record(
        actor=actor,
        organisation=assessment.organisation,
        obj=assessment,
        before=before,
        update_fields=["archived_at"],
    )

    return assessment
