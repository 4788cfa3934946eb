"""Register pages. Who sees what:

- Lead and deputy: everything, and they make every change.
- Trustees: read everything (oversight), change nothing.
- Workers: the names and kinds of people in the groups they belong to, and
  their own record with its clearance; never anyone else's vetting, consent
  evidence or contact points.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecontact.assessments import selectors as assessment_selectors
from safecontact.audittrail import selectors as audit_selectors
from safecontact.audittrail.forms import TrailFilterForm
from safecontact.audittrail.services import record_access
from safecontact.families import selectors as family_selectors
from safecontact.groups.selectors import visible_groups
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    oversight_required,
    request_organisation,
    request_user,
)
from safecontact.lib.dates import org_today, org_zone
from safecontact.lib.pages import paginate
from safecontact.people import forms, imports, selectors, services
from safecontact.people.models import Person
from safecontact.people.selectors import attention as register_attention
from safecontact.policies import selectors as policy_selectors

GET_OR_POST = require_http_methods(["GET", "POST"])


def _person(request: HttpRequest, code: Any) -> Person:
    """The person with ``code`` if this user may see them, else 404."""
    return get_for_org(
        selectors.visible_people(request_user(request)).select_related("organisation"),
        request_organisation(request),
        code=code,
    )


def _lead_person(request: HttpRequest, code: Any) -> Person:
    return get_for_org(
        Person.objects.select_related("organisation"),
        request_organisation(request),
        code=code,
    )


def _search(request: HttpRequest, form: forms.SearchForm) -> QuerySet[Person]:
    people = selectors.visible_people(request_user(request)).select_related("worker")
    if not form.is_valid():
        return people
    words = form.cleaned_data["q"].split()
    for word in words:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    if form.cleaned_data["kind"]:
        people = people.filter(kind=form.cleaned_data["kind"])
    return people


def _by_status(people: QuerySet[Person], status: str, user: Any) -> QuerySet[Person]:
    """Workers by clearance, worked out by the database (one page is shown)."""
    if not status or not user.is_oversight:
        return people
    today = org_today(user.organisation)
    rows = people.filter(worker__isnull=False)
    if status == "left":
        return rows.filter(worker__end_date__lt=today)
    years = user.organisation.vetting_renewal_years
    cleared = selectors.cleared_for_either_q(today, years)
    return rows.filter(cleared if status == "cleared" else ~cleared)


@require_GET
@member_required
def person_list(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    people = _search(request, form)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = paginate(request, _by_status(people, status, request_user(request)))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _detail_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    user: Any = request_user(request)
    today = org_today(user.organisation)
    profile = selectors.worker_profile(person)
    own = person.user_id == user.pk
    history = list(selectors.consent_history(person))
    return {
        "person": person,
        "age": person.age(today),
        "profile": profile,
        "evidence": selectors.can_see_evidence(user),
        "clearance": selectors.worker_clearance(person, today)
        if profile and (user.is_oversight or own)
        else None,
        "history": history,
        "consent_state": selectors.consent_state(
            history[0] if history else None, today
        ),
        "needs_consent": person.kind in (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK),
        "carers": person.carers.select_related("carer"),
        "cares_for": person.cares_for.select_related("person"),
        "memberships": person.memberships.filter(
            removed_at=None, group__in=visible_groups(user)
        ).select_related("group"),
    }


@require_GET
@member_required
def person_detail(request: HttpRequest, code: Any) -> HttpResponse:
    person = _person(request, code)
    context = _detail_context(request, person)
    if context["evidence"]:
        # Contact points and evidence are protected: record who looked.
        record_access(
            actor=request_user(request), organisation=person.organisation, obj=person
        )
    return render(request, "people/detail.html", context)


def _form_page(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    done: str,
    back: str,
    extra: dict[str, Any] | None = None,
    template: str = "people/form.html",
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a service) and redirect."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            forms.apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(
                saved.get_absolute_url() if hasattr(saved, "get_absolute_url") else back
            )
    context = {"form": form, "title": title, "back": back, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


@GET_OR_POST
@lead_required
def person_add(request: HttpRequest) -> HttpResponse:
    form = forms.PersonForm(
        request.POST or None, organisation=request_organisation(request)
    )

    def save(data: dict[str, Any]) -> Person:
        return services.create_person(
            actor=request_user(request),
            organisation=request_organisation(request),
            **data,
        )

    return _form_page(
        request,
        form,
        save,
        title="Add a person",
        done="Added to the register.",
        back="/people/",
    )


@GET_OR_POST
@lead_required
def person_edit(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    form = forms.PersonForm(
        request.POST or None,
        instance=Person.objects.get(pk=person.pk),
        organisation=person.organisation,
    )

    def save(data: dict[str, Any]) -> Person:
        return services.update_person(
            actor=request_user(request), person=person, **data
        )

    return _form_page(
        request,
        form,
        save,
        title=f"Change {person}",
        done="Changes saved.",
        back=person.get_absolute_url(),
    )


@GET_OR_POST
@lead_required
def worker_edit(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    profile = selectors.worker_profile(person)
    form = forms.WorkerProfileForm(request.POST or None, instance=profile)

    def save(data: dict[str, Any]) -> Person:
        services.set_worker_profile(actor=request_user(request), person=person, **data)
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Worker details for {person}",
        done="Worker details saved.",
        back=person.get_absolute_url(),
    )


@require_POST
@lead_required
def worker_reinstate(request: HttpRequest, code: Any) -> HttpResponse:
    """Undo a leaving: end date cleared, login on, groups restored."""
    person = _lead_person(request, code)
    try:
        done = services.reinstate_worker(actor=request_user(request), person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(person)
    back = ", ".join(str(m.group) for m in done.restored) or "no groups"
    messages.success(request, f"{person} is reinstated. Back in: {back}.")
    for member, decision in done.refused:
        why = " ".join(r.message for r in decision.reasons)
        messages.warning(request, f"Not put back in {member.group}: {why}")
    return redirect(person)


@GET_OR_POST
@lead_required
def vetting_add(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    form = forms.VettingCheckForm(request.POST or None)

    def save(data: dict[str, Any]) -> Person:
        services.record_vetting_check(
            actor=request_user(request),
            person=person,
            today=org_today(request_organisation(request)),
            **data,
        )
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Record a DBS check for {person}",
        done="DBS check recorded.",
        back=person.get_absolute_url(),
    )


@GET_OR_POST
@lead_required
def training_add(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    form = forms.TrainingForm(request.POST or None)

    def save(data: dict[str, Any]) -> Person:
        services.record_training(actor=request_user(request), person=person, **data)
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Record safeguarding training for {person}",
        done="Training recorded.",
        back=person.get_absolute_url(),
    )


@GET_OR_POST
@lead_required
def relationship_add(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    form = forms.RelationshipForm(request.POST or None, person=person)

    def save(data: dict[str, Any]) -> Person:
        services.add_relationship(actor=request_user(request), person=person, **data)
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Add a parent or carer of {person}",
        done="Parent or carer added.",
        back=person.get_absolute_url(),
    )


@GET_OR_POST
@lead_required
def consent_add(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    current = selectors.current_consent(person, org_today(person.organisation))
    form = forms.ConsentForm(request.POST or None, person=person, current=current)

    def save(data: dict[str, Any]) -> Person:
        services.record_consent(
            actor=request_user(request), subject=person, **form.service_args()
        )
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Record consent for {person}",
        done="Consent recorded.",
        back=person.get_absolute_url(),
        extra={"history": selectors.consent_history(person)},
        template="people/consent_form.html",
    )


@GET_OR_POST
@lead_required
def consent_withdraw(request: HttpRequest, code: Any) -> HttpResponse:
    person = _lead_person(request, code)
    form = forms.WithdrawConsentForm(request.POST or None, person=person)

    def save(data: dict[str, Any]) -> Person:
        services.withdraw_consent(actor=request_user(request), subject=person, **data)
        return person

    return _form_page(
        request,
        form,
        save,
        title=f"Withdraw consent for {person}",
        done="Consent withdrawn. The earlier record stays in the history.",
        back=person.get_absolute_url(),
        extra={"history": selectors.consent_history(person), "withdraw": True},
        template="people/consent_form.html",
    )


ATTENTION_PAGE = 50


@require_GET
@oversight_required
def attention(request: HttpRequest) -> HttpResponse:
    """Counts per category, then one category's items a page at a time.

    The register's categories are counted and paged by the database; only the
    page shown is worded. Policies and risk assessments are few: listed whole.
    """
    organisation = request_organisation(request)
    today = org_today(organisation)
    counted = register_attention.counts(organisation, today)
    listed: dict[str, list[Any]] = {}
    for item in policy_selectors.attention_items(organisation, today):
        listed.setdefault(item.category, []).append(item)
    listed["risk_assessment"] = assessment_selectors.attention(organisation, today)
    listed["consent_renewal"] = family_selectors.renewal_items(organisation, today)
    counted.update({key: len(found) for key, found in listed.items()})
    summary = [
        (key, label, counted[key])
        for key, label in selectors.CATEGORIES.items()
        if counted.get(key)
    ]
    chosen = request.GET.get("category", "")
    if not counted.get(chosen):
        chosen = summary[0][0] if summary else ""
    if chosen in register_attention.REGISTER_CATEGORIES:
        page = paginate(
            request,
            register_attention.rows(organisation, today, chosen),
            ATTENTION_PAGE,
            count=counted[chosen],  # the rows' count, from the summary
        )
        page.object_list = register_attention.items(
            organisation, today, chosen, list(page.object_list)
        )
    else:
        page = paginate(request, listed.get(chosen, []), ATTENTION_PAGE)
    return render(
        request,
        "people/attention.html",
        {
            "summary": summary,
            "chosen": chosen,
            "label": selectors.CATEGORIES.get(chosen, ""),
            "page": page,
            "count": sum(counted.values()),
            "today": today,
        },
    )


@require_GET
@oversight_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The general trail: never a concern or case (audittrail.selectors)."""
    organisation = request_organisation(request)
    form = TrailFilterForm(request.GET or None, organisation=organisation)
    entries = audit_selectors.general_trail(organisation)
    if form.is_bound and form.is_valid():
        entries = audit_selectors.filter_trail(
            entries, zone=org_zone(organisation), **form.cleaned_data
        )
    elif form.is_bound:
        entries = entries.none()
    page = paginate(request, entries, 50)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "lines": audit_selectors.lines(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "people/audit.html", context)


# --- CSV import ----------------------------------------------------------------

IMPORT_SESSION_KEY = "people_import"


@GET_OR_POST
@lead_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload, then preview: nothing is written until the Lead confirms."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(imports.MAX_BYTES + 1)
        try:
            parsed = imports.parse_people_csv(
                data,
                organisation=request_organisation(request),
                today=org_today(request_organisation(request)),
            )
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            request.session[IMPORT_SESSION_KEY] = base64.b64encode(data).decode()
            return render(request, "people/import_preview.html", {"parsed": parsed})
    return render(
        request,
        "people/import.html",
        {"form": form, "limit": imports.MAX_ROWS},
        status=400 if form.errors else 200,
    )


@require_POST
@lead_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    stored = request.session.pop(IMPORT_SESSION_KEY, None)
    if stored is None:
        messages.error(request, "The upload has expired. Please choose the file again.")
        return redirect("people:import")
    # Checked again: the register may have changed since the preview.
    parsed = imports.parse_people_csv(
        base64.b64decode(stored),
        organisation=request_organisation(request),
        today=org_today(request_organisation(request)),
    )
    result = imports.import_people(
        actor=request_user(request),
        organisation=request_organisation(request),
        parsed=parsed,
    )
    return render(request, "people/import_done.html", {"result": result})
