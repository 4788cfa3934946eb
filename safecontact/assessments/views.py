"""Risk assessment pages: the Lead writes and signs off; oversight roles read."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecontact.assessments import selectors, services
from safecontact.assessments.forms import AssessmentForm, ControlForm, HazardForm
from safecontact.assessments.models import Control, Hazard, RiskAssessment
from safecontact.assessments.starters import umbrella_starters
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    oversight_required,
    request_organisation,
    request_user,
)
from safecontact.lib.dates import org_today
from safecontact.lib.forms import apply_errors
from safecontact.lib.pages import paginate
from safeguarding.assessment import BAND_LABELS, band, concerns, score

GET_OR_POST = require_http_methods(["GET", "POST"])


def _assessment(request: HttpRequest, code: uuid.UUID) -> RiskAssessment:
    return get_for_org(
        selectors.assessments_for(request_organisation(request)),
        request_organisation(request),
        code=code,
    )


def _in_org(queryset: Any, request: HttpRequest, code: uuid.UUID, path: str) -> Any:
    """The row with ``code`` whose ``path`` is this organisation, or 404."""
    found = queryset.filter(
        **{path: request_organisation(request), "code": code}
    ).first()
    if found is None:
        raise Http404
    return found


def _hazard(
    request: HttpRequest, assessment: RiskAssessment, hazard_code: uuid.UUID
) -> Hazard:
    return _in_org(
        assessment.hazards.all(), request, hazard_code, "assessment__organisation"
    )


def _rated(likelihood: int, impact: int) -> dict[str, Any]:
    value = score(likelihood, impact)
    level = band(value)
    return {"score": value, "band": level.value, "label": BAND_LABELS[level]}


@require_GET
@oversight_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    day = org_today(organisation)
    live = list(selectors.assessments_for(organisation).filter(archived_at=None))
    facts = selectors.group_facts(
        organisation, [a.group for a in live if a.group is not None], day
    )
    return render(
        request,
        "assessments/list.html",
        {"page": paginate(request, selectors.standings(live, day, facts))},
    )


@GET_OR_POST
@lead_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = AssessmentForm(
        request.POST or None,
        organisation=organisation,
        umbrella=umbrella_starters(organisation).values(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.create_assessment(
                actor=request_user(request),
                organisation=organisation,
                title=form.cleaned_data["title"],
                activity=form.cleaned_data["activity"],
                group=form.cleaned_data["group"],
                description=form.cleaned_data["description"],
                from_template=form.cleaned_data["from_template"],
                umbrella_template=form.cleaned_data.get("umbrella_template", ""),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                "Draft created. Check each hazard's scores and controls, then sign it off.",
            )
            return redirect(assessment.get_absolute_url())
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": "New risk assessment", "back": "/assessments/"},
    )


@GET_OR_POST
@lead_required
def assessment_edit(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    assessment = _assessment(request, code)
    form = AssessmentForm(
        request.POST or None,
        instance=assessment,
        organisation=request_organisation(request),
    )
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        assessment.refresh_from_db()
        try:
            services.update_assessment(
                actor=request_user(request), assessment=assessment, **changes
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(assessment.get_absolute_url())
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": f"Edit {assessment}",
            "back": assessment.get_absolute_url(),
        },
    )


def _detail_context(request: HttpRequest, assessment: RiskAssessment) -> dict[str, Any]:
    organisation = request_organisation(request)
    day = org_today(organisation)
    facts = (
        selectors.group_facts(organisation, [assessment.group], day)
        if assessment.group
        else {}
    )
    standing = selectors.standings([assessment], day, facts)[0]
    hazards = list(assessment.hazards.prefetch_related("controls", "controls__owner"))
    rows = [
        (
            h,
            _rated(h.likelihood_before, h.impact_before),
            _rated(h.likelihood_after, h.impact_after),
        )
        for h in hazards
    ]
    group_facts = facts.get(assessment.group_id) if assessment.group_id else None
    return {
        "assessment": assessment,
        "standing": standing,
        "rows": rows,
        "facts": group_facts,
        "concerns": concerns(group_facts) if group_facts else (),
        "today": day,
    }


@require_GET
@oversight_required
def assessment_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    assessment = _assessment(request, code)
    return render(
        request, "assessments/detail.html", _detail_context(request, assessment)
    )


@require_GET
@oversight_required
def assessment_print(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    assessment = _assessment(request, code)
    return render(
        request, "assessments/print.html", _detail_context(request, assessment)
    )


@GET_OR_POST
@lead_required
def hazard_form(
    request: HttpRequest, code: uuid.UUID, hazard_code: uuid.UUID | None = None
) -> HttpResponse:
    assessment = _assessment(request, code)
    hazard = _hazard(request, assessment, hazard_code) if hazard_code else None
    form = HazardForm(request.POST or None, instance=hazard)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_hazard(
                actor=request_user(request),
                assessment=assessment,
                hazard=hazard,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(assessment.get_absolute_url() + "#hazards")
    title = "Change a hazard" if hazard else "Add a hazard"
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": title, "back": assessment.get_absolute_url()},
    )


@require_POST
@lead_required
def hazard_delete(
    request: HttpRequest, code: uuid.UUID, hazard_code: uuid.UUID
) -> HttpResponse:
    assessment = _assessment(request, code)
    hazard = _hazard(request, assessment, hazard_code)
    services.delete_hazard(actor=request_user(request), hazard=hazard)
    messages.success(
        request, "Hazard removed. Sign the assessment off again when it is ready."
    )
    return redirect(assessment.get_absolute_url() + "#hazards")


@GET_OR_POST
@lead_required
def control_add(
    request: HttpRequest, code: uuid.UUID, hazard_code: uuid.UUID
) -> HttpResponse:
    assessment = _assessment(request, code)
    hazard = _hazard(request, assessment, hazard_code)
    form = ControlForm(request.POST or None, organisation=request_organisation(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_control(
                actor=request_user(request), hazard=hazard, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(assessment.get_absolute_url() + "#hazards")
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": "Add a control",
            "lead_in": f"For the hazard: {hazard.description}",
            "back": assessment.get_absolute_url(),
        },
    )


@require_POST
@lead_required
def control_done(
    request: HttpRequest, code: uuid.UUID, control_code: uuid.UUID
) -> HttpResponse:
    assessment = _assessment(request, code)
    control = _in_org(
        Control.objects.filter(hazard__assessment=assessment),
        request,
        control_code,
        "hazard__assessment__organisation",
    )
    services.complete_control(actor=request_user(request), control=control)
    messages.success(request, "Recorded: that control is in place.")
    return redirect(assessment.get_absolute_url() + "#hazards")


@GET_OR_POST
@lead_required
def sign_off(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    assessment = _assessment(request, code)
    error = None
    if request.method == "POST":
        try:
            services.sign_off(actor=request_user(request), assessment=assessment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"Signed off. Next review by {assessment.review_due:%d %B %Y}; "
                "SafeContact will flag it sooner if the group's facts get worse.",
            )
            return redirect(assessment.get_absolute_url())
    context = _detail_context(request, assessment) | {"error": error}
    return render(request, "assessments/sign_off.html", context)


@require_POST
@lead_required
def archive(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    assessment = _assessment(request, code)
    archived = assessment.archived_at is None
    services.set_archived(
        actor=request_user(request), assessment=assessment, archived=archived
    )
    messages.success(
        request, "Assessment archived." if archived else "Assessment restored."
    )
    return redirect(assessment.get_absolute_url())
