"""The register over JSON, with the same role limits as the pages.

Workers list only the people in their groups, by name and kind; vetting,
clearance, consent and contact points are for the Lead, deputy and trustees.
Only the Lead and deputy write. Another organisation's records are a 404.
"""

# No `from __future__ import annotations`: ninja reads these annotations at
# runtime, and @paginate hides the module namespace they would resolve in.

from typing import Any, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import record_access
from safecontact.groups.models import Group, Platform, Purpose
from safecontact.lib.access import api_user, get_for_org
from safecontact.lib.dates import org_today
from safecontact.lib.pages import PageNumberPagination
from safecontact.people import schemas, selectors, services
from safecontact.people.models import Consent, Person

router = Router(tags=["people"])
PUBLIC_FIELDS = ("code", "first_name", "last_name", "kind")


def _oversight(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_oversight:
        raise PermissionDenied("Your role cannot read vetting or consent records.")
    return user


def _person(request: HttpRequest, code: UUID) -> Person:
    user = api_user(request)
    return get_for_org(
        selectors.visible_people(user).select_related("organisation", "supporter"),
        user.organisation,
        code=code,
    )


def _shown(user: User, people: QuerySet[Person]) -> Any:
    """Whole rows for oversight roles; names and kinds only for workers."""
    if user.is_oversight:
        return people.select_related("supporter")
    return people.values(*PUBLIC_FIELDS)


def _with_supporter(organisation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the supporter's code (if given) read as their record."""
    code = data.get("supporter")
    if code is not None:
        found = Person.objects.filter(organisation_id=organisation_id, code=code)
        supporter = found.first()
        if supporter is None:
            raise ValidationError(
                {"supporter": "Nobody with that code is in your organisation."}
            )
        data["supporter"] = supporter
    return data


@router.get("/", response=list[schemas.PersonOut])
@paginate(PageNumberPagination, page_size=50)
def list_people(request: HttpRequest, filters: Query[schemas.PeopleFilterIn]) -> Any:
    user = api_user(request)
    people = selectors.visible_people(user)
    for word in filters.q.split():
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    if filters.kind:
        people = people.filter(kind=filters.kind)
    return _shown(user, people.order_by("last_name", "first_name", "pk"))


@router.post("/", response={201: schemas.PersonOut})
def create_person(request: HttpRequest, payload: schemas.PersonIn) -> Any:
    user = api_user(request)
    organisation = cast(Organisation, user.organisation)
    person = services.create_person(
        actor=user,
        organisation=organisation,
        **_with_supporter(organisation.pk, payload.dict()),
    )
    return 201, person


@router.get("/workers", response=list[schemas.WorkerOut])
@paginate(PageNumberPagination, page_size=50)
def list_workers(request: HttpRequest) -> Any:
    user = _oversight(request)
    return selectors.workers(user.organisation).order_by(
        "last_name", "first_name", "pk"
    )


@router.get("/{code}", response=schemas.PersonOut)
def get_person(request: HttpRequest, code: UUID) -> Any:
    person = _person(request, code)
    user = api_user(request)
    if not user.is_oversight:
        return {f: getattr(person, f) for f in PUBLIC_FIELDS}
    record_access(actor=user, organisation=person.organisation, obj=person)
    return person


@router.patch("/{code}", response=schemas.PersonOut)
def update_person(
    request: HttpRequest, code: UUID, payload: schemas.PersonPatch
) -> Any:
    person = _person(request, code)
    changes = _with_supporter(person.organisation_id, payload.dict(exclude_unset=True))
    return services.update_person(actor=api_user(request), person=person, **changes)


@router.post("/{code}/leave", response=schemas.WorkerOut)
def end_worker_role(request: HttpRequest, code: UUID, payload: schemas.LeaveIn) -> Any:
    """Record that a worker left; from their last day their login is off and
    they are out of every group."""
    person = _person(request, code)
    services.end_worker_role(
        actor=api_user(request), person=person, end_date=payload.end_date
    )
    return selectors.workers(person.organisation).get(pk=person.pk)


@router.post("/{code}/reinstate", response=schemas.ReinstatedOut)
def reinstate_worker(request: HttpRequest, code: UUID) -> Any:
    done = services.reinstate_worker(
        actor=api_user(request), person=_person(request, code)
    )
    return {
        "restored": [m.group.code for m in done.restored],
        "refused": [
            {
                "group": m.group.code,
                "name": m.group.name,
                "reasons": [r.message for r in decision.reasons],
            }
            for m, decision in done.refused
        ],
        "login_switched_on": done.login_switched_on,
    }


@router.get("/{code}/vetting", response=list[schemas.VettingOut])
def list_vetting(request: HttpRequest, code: UUID) -> Any:
    _oversight(request)
    return _person(request, code).vetting_checks.all()


@router.post("/{code}/vetting", response={201: schemas.VettingOut})
def record_vetting(request: HttpRequest, code: UUID, payload: schemas.VettingIn) -> Any:
    person = _person(request, code)
    return 201, services.record_vetting_check(
        actor=api_user(request), person=person, **payload.dict()
    )


@router.get("/{code}/consent", response=list[schemas.ConsentOut])
@paginate(PageNumberPagination, page_size=50)
def consent_history(request: HttpRequest, code: UUID) -> Any:
    _oversight(request)
    history = selectors.consent_history(_person(request, code))
    return history.prefetch_related("platforms")


def _by_codes(queryset: QuerySet[Any], codes: list[UUID], what: str) -> list[Any]:
    found = list(queryset.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError(
            {what: f"Some {what} were not found in your organisation."}
        )
    return found


@router.post("/{code}/consent", response={201: schemas.ConsentOut})
def record_consent(request: HttpRequest, code: UUID, payload: schemas.ConsentIn) -> Any:
    person = _person(request, code)
    services.require_lead(api_user(request), person.organisation_id)
    data = payload.dict()
    org_people = Person.objects.filter(organisation_id=person.organisation_id)
    data["groups"] = _by_codes(
        Group.objects.filter(organisation_id=person.organisation_id),
        data["groups"],
        "groups",
    )
    data["allowed_workers"] = _by_codes(
        org_people, data["allowed_workers"], "allowed_workers"
    )
    data["purposes"] = _by_codes(
        Purpose.objects.filter(organisation_id=person.organisation_id),
        data["purposes"],
        "purposes",
    )
    data["platforms"] = _by_codes(
        Platform.objects.filter(organisation_id=person.organisation_id),
        data["platforms"],
        "platforms",
    )
    given_by = data.pop("given_by")
    data["given_by"] = (
        _by_codes(org_people, [given_by], "given_by")[0] if given_by else None
    )
    if "photos_allowed" not in payload.model_fields_set:
        # Left out: the photo answer in force stands, as on the Lead's form.
        current = selectors.current_consent(person, org_today(person.organisation))
        if current is not None:
            data["photos_allowed"] = current.photos_allowed
            data["photos_where"] = current.photos_where
    consent = services.record_consent(actor=api_user(request), subject=person, **data)
    return 201, consent


@router.post("/{code}/consent/withdraw", response={201: schemas.ConsentOut})
def withdraw_consent(
    request: HttpRequest, code: UUID, payload: schemas.WithdrawIn
) -> Any:
    person = _person(request, code)
    services.require_lead(api_user(request), person.organisation_id)
    data = payload.dict()
    by = data.pop("withdrawn_by")
    org_people = Person.objects.filter(organisation_id=person.organisation_id)
    withdrawn_by = _by_codes(org_people, [by], "withdrawn_by")[0] if by else None
    consent: Consent = services.withdraw_consent(
        actor=api_user(request), subject=person, withdrawn_by=withdrawn_by, **data
    )
    return 201, consent
