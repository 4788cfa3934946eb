"""Groups and platforms over JSON, with the same role limits as the pages."""

# No `from __future__ import annotations`: ninja reads these annotations at
# runtime, and @paginate hides the module namespace they would resolve in.

from typing import Any, cast
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from safecontact.accounts.models import Organisation
from safecontact.groups import schemas, services
from safecontact.groups.models import GroupMember, Platform, Purpose
from safecontact.groups.selectors import visible_groups
from safecontact.lib.access import api_user, get_for_org, require_lead
from safecontact.people.models import Person

router = Router(tags=["groups"])


def _groups(request: HttpRequest) -> Any:
    members = GroupMember.objects.filter(removed_at=None).select_related("person")
    return (
        visible_groups(api_user(request))
        .filter(archived_at=None)
        .select_related("platform")
        .prefetch_related(Prefetch("members", queryset=members), "purposes")
        .order_by("name", "pk")
    )


@router.get("/", response=list[schemas.GroupOut])
@paginate(PageNumberPagination, page_size=50)
def list_groups(request: HttpRequest) -> Any:
    return _groups(request)


@router.post("/", response={201: schemas.GroupOut})
def create_group(request: HttpRequest, payload: schemas.GroupIn) -> Any:
    user = api_user(request)
    data = payload.dict()
    data["platform"] = get_for_org(
        Platform.objects.all(), user.organisation, code=data["platform"]
    )
    data["purposes"] = purposes_by_code(user.organisation, data["purposes"])
    organisation = cast(Organisation, user.organisation)
    group = services.create_group(actor=user, organisation=organisation, **data)
    return 201, group


def purposes_by_code(organisation: Any, codes: list[UUID]) -> list[Purpose]:
    """The organisation's purposes with these codes; 422 naming none otherwise."""
    found = list(Purpose.objects.filter(organisation=organisation, code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({"purposes": "Some purposes were not found."})
    return found


@router.get("/purposes", response=list[schemas.PurposeOut])
@paginate(PageNumberPagination, page_size=100)
def list_purposes(request: HttpRequest, retired: bool = False) -> Any:
    """The organisation's purposes in use (with ``retired=true``, all of them)."""
    found = Purpose.objects.filter(organisation=api_user(request).organisation)
    return found if retired else found.filter(retired_at=None)


@router.post("/purposes", response={201: schemas.PurposeOut})
def add_purpose(request: HttpRequest, payload: schemas.PurposeIn) -> Any:
    user = api_user(request)
    organisation = cast(Organisation, user.organisation)
    return 201, services.add_purpose(
        actor=user, organisation=organisation, name=payload.name
    )


@router.patch("/purposes/{code}", response=schemas.PurposeOut)
def change_purpose(
    request: HttpRequest, code: UUID, payload: schemas.PurposePatch
) -> Any:
    """Rename, retire (``retired: true``) or bring back a purpose."""
    user = api_user(request)
    require_lead(user, cast(Organisation, user.organisation))
    purpose = get_for_org(Purpose.objects.all(), user.organisation, code=code)
    if payload.name is not None:
        purpose = services.rename_purpose(
            actor=user, purpose=purpose, name=payload.name
        )
    if payload.retired is not None and payload.retired != (
        purpose.retired_at is not None
    ):
        purpose = services.retire_purpose(
            actor=user, purpose=purpose, retired=payload.retired
        )
    return purpose


@router.get("/platforms", response=list[schemas.PlatformOut])
@paginate(PageNumberPagination, page_size=50)
def list_platforms(request: HttpRequest) -> Any:
    return Platform.objects.filter(organisation=api_user(request).organisation)


@router.patch("/platforms/{code}", response=schemas.PlatformOut)
def update_platform(
    request: HttpRequest, code: UUID, payload: schemas.PlatformPatch
) -> Any:
    user = api_user(request)
    platform = get_for_org(Platform.objects.all(), user.organisation, code=code)
    changes = payload.dict(exclude_unset=True)
    return services.update_platform(actor=user, platform=platform, **changes)


@router.get("/{code}", response=schemas.GroupOut)
def get_group(request: HttpRequest, code: UUID) -> Any:
    return get_for_org(_groups(request), api_user(request).organisation, code=code)


@router.post(
    "/{code}/members", response={201: schemas.MemberOut, 409: schemas.RefusedOut}
)
def add_member(request: HttpRequest, code: UUID, payload: schemas.MemberIn) -> Any:
    user = api_user(request)
    group = get_for_org(visible_groups(user), user.organisation, code=code)
    person = get_for_org(Person.objects.all(), user.organisation, code=payload.person)
    try:
        member = services.add_member(
            actor=user,
            group=group,
            person=person,
            role=payload.role,
            exception_reason=payload.exception_reason,
        )
    except services.MembershipRefused as refused:
        return 409, _refusal(refused)
    return 201, member


def _refusal(refused: services.MembershipRefused) -> dict[str, Any]:
    decision = refused.decision
    return {
        "error": " ".join(refused.messages),
        "outcome": decision.outcome.value,
        "reasons": [
            {
                "rule_id": r.rule_id,
                "effect": r.effect.value,
                "message": r.message,
                "fix": r.fix,
            }
            for r in decision.reasons
        ],
    }


@router.post("/members/{code}/remove", response=schemas.MemberOut)
def remove_member(request: HttpRequest, code: UUID) -> Any:
    user = api_user(request)
    return services.remove_member(actor=user, member=_member(user, code))


def _member(user: Any, code: UUID) -> GroupMember:
    member = (
        GroupMember.objects.select_related("group", "person")
        .filter(code=code, group__organisation=user.organisation)
        .first()
    )
    if member is None:
        raise Http404
    return member
