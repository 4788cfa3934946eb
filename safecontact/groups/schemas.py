"""JSON shapes for groups and platforms."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from safecontact.lib.schemas import HoursIn


class PlatformOut(Schema):
    code: UUID
    name: str
    kind: str
    minimum_age: int
    minimum_age_source: str
    hides_phone_numbers: bool
    admins_can_restrict_posting: bool
    history_exportable: bool
    approved: bool


class PlatformPatch(Schema):
    minimum_age: int | None = Field(None, ge=0, le=99)
    minimum_age_source: str | None = Field(None, max_length=300)
    hides_phone_numbers: bool | None = None
    admins_can_restrict_posting: bool | None = None
    history_exportable: bool | None = None
    approved: bool | None = None


class MemberOut(Schema):
    code: UUID
    person: UUID
    name: str
    kind: str
    role: str
    added_at: datetime.datetime

    @staticmethod
    def resolve_person(obj: Any) -> UUID:
        return obj.person.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.person.kind)


class PurposeOut(Schema):
    code: UUID
    name: str
    retired: bool

    @staticmethod
    def resolve_retired(obj: Any) -> bool:
        return obj.retired_at is not None


class PurposeIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class PurposePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    retired: bool | None = None


class GroupOut(Schema):
    code: UUID
    name: str
    purposes: list[PurposeOut]
    description: str
    audience: str
    age_min: int | None
    age_max: int | None
    platform: str
    account: str
    hours: list[dict[str, Any]]
    conduct_agreement: str
    members: list[MemberOut]

    @staticmethod
    def resolve_purposes(obj: Any) -> list[Any]:
        return list(obj.purposes.all())

    @staticmethod
    def resolve_platform(obj: Any) -> str:
        return str(obj.platform.name)

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return [m for m in obj.members.all() if m.removed_at is None]


class GroupIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    purposes: list[UUID] = Field(
        min_length=1, description="Purpose codes, from /groups/purposes"
    )
    description: str = ""
    audience: str = Field(description="children, young_people, adults_at_risk, mixed")
    platform: UUID
    age_min: int | None = Field(None, ge=0, le=120)
    age_max: int | None = Field(None, ge=0, le=120)
    account: str = Field(
        "organisation",
        description="organisation, or personal (run from a worker's own account)",
    )
    hours: list[HoursIn] = []
    conduct_agreement: str = ""


class MemberIn(Schema):
    person: UUID
    role: str = "member"
    exception_reason: str = Field(
        "",
        max_length=500,
        description="The Lead's reason to add a child outside the group's age range",
    )


class ReasonOut(Schema):
    rule_id: str
    effect: str
    message: str
    fix: str


class RefusedOut(Schema):
    """A membership the policy engine refused (block) or held for a reason."""

    error: str
    outcome: str
    reasons: list[ReasonOut]
