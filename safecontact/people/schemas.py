"""JSON shapes for the register API: ...In for input, ...Out for output."""

from __future__ import annotations

import datetime
from typing import Any, Self
from uuid import UUID

from ninja import Schema
from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from safecontact.lib.dates import org_today
from safecontact.lib.schemas import HoursIn, InSchema, PatchSchema
from safecontact.people import selectors
from safecontact.people.models import Consent, Person, VettingCheck

# Each word is one more condition in the query: a few find anyone by name.
MAX_SEARCH_WORDS = 10


class PeopleFilterIn(InSchema):
    q: str = Field("", max_length=200, description="Words of a name")
    kind: str = Field("", max_length=32)

    @field_validator("q")
    @classmethod
    def _few_words(cls, q: str) -> str:
        if len(q.split()) > MAX_SEARCH_WORDS:
            raise PydanticCustomError(
                "too_many_words",
                "Search for at most {limit} words.",
                {"limit": MAX_SEARCH_WORDS},
            )
        return q


LARGE_PRINT = "Emails go with a large-print version too."
PLAIN_TEXT = "Emails go as plain text only (wins over large print)."
SUPPORTER = (
    "The code of an adult this person asked to be copied into what they are "
    "sent (an adult at risk's advocate or carer); the policy engine decides "
    "when (rule access.supporter_copied)."
)


class PersonOut(Schema):
    """Contact points, date of birth and accessibility preferences are null
    unless your role may see them (the Lead, deputies and trustees)."""

    code: UUID
    first_name: str
    last_name: str
    kind: str
    date_of_birth: datetime.date | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    accessibility_needs: str | None = None
    large_print: bool | None = Field(None, description=LARGE_PRINT)
    plain_text_email: bool | None = Field(None, description=PLAIN_TEXT)
    supporter: UUID | None = Field(None, description=SUPPORTER)
    external_ref: str | None = None

    @staticmethod
    def resolve_supporter(obj: Any) -> UUID | None:
        supporter = getattr(obj, "supporter", None)  # a worker's view is a dict
        return supporter.code if supporter is not None else None


class PersonIn(InSchema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field("", max_length=100)
    kind: Person.Kind
    date_of_birth: datetime.date | None = None
    email: str = ""
    phone: str = Field("", max_length=32)
    accessibility_needs: str = ""
    preferred_channel: Person.Channel = Person.Channel.EMAIL
    large_print: bool = Field(False, description=LARGE_PRINT)
    plain_text_email: bool = Field(False, description=PLAIN_TEXT)
    supporter: UUID | None = Field(None, description=SUPPORTER)
    external_ref: str = Field("", max_length=100)


class PersonPatch(PatchSchema):
    nullable = frozenset({"date_of_birth", "supporter"})

    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    kind: Person.Kind | None = None
    date_of_birth: datetime.date | None = None
    email: str | None = None
    phone: str | None = Field(None, max_length=32)
    accessibility_needs: str | None = None
    preferred_channel: Person.Channel | None = None
    large_print: bool | None = Field(None, description=LARGE_PRINT)
    plain_text_email: bool | None = Field(None, description=PLAIN_TEXT)
    supporter: UUID | None = Field(
        None, description=f"{SUPPORTER} null: nobody is copied in."
    )
    external_ref: str | None = Field(None, max_length=100)


class ClearanceOut(Schema):
    active: bool
    children: bool
    adults: bool
    reasons: list[str]
    due_on: datetime.date | None


class WorkerOut(Schema):
    code: UUID
    first_name: str
    last_name: str
    employment: str
    role_title: str
    works_with: str
    start_date: datetime.date
    end_date: datetime.date | None
    clearance: ClearanceOut

    @staticmethod
    def resolve_employment(obj: Any) -> str:
        return str(obj.worker.employment)

    @staticmethod
    def resolve_role_title(obj: Any) -> str:
        return str(obj.worker.role_title)

    @staticmethod
    def resolve_works_with(obj: Any) -> str:
        return str(obj.worker.works_with)

    @staticmethod
    def resolve_start_date(obj: Any) -> datetime.date:
        return obj.worker.start_date  # type: ignore[no-any-return]

    @staticmethod
    def resolve_end_date(obj: Any) -> datetime.date | None:
        return obj.worker.end_date  # type: ignore[no-any-return]

    @staticmethod
    def resolve_clearance(obj: Any) -> dict[str, Any]:
        result = selectors.worker_clearance(obj, org_today(obj.organisation))
        return {
            "active": result.active,
            "children": result.children,
            "adults": result.adults,
            "reasons": list(result.reasons),
            "due_on": result.due_on,
        }


class LeaveIn(InSchema):
    end_date: datetime.date = Field(
        description="Their last day; today or earlier takes effect at once"
    )


class RefusedGroupOut(Schema):
    group: UUID
    name: str
    reasons: list[str]


class ReinstatedOut(Schema):
    """What reinstating a leaver put back, and what the rules kept out."""

    restored: list[UUID]
    refused: list[RefusedGroupOut]
    login_switched_on: bool


class VettingIn(InSchema):
    level: VettingCheck.Level
    certificate_date: datetime.date
    workforce: VettingCheck.Workforce = VettingCheck.Workforce.BOTH
    certificate_number: str = Field("", max_length=32)
    update_service: bool = False
    renewal_due: datetime.date | None = None


class VettingOut(Schema):
    code: UUID
    level: str
    workforce: str
    certificate_date: datetime.date
    certificate_number: str
    update_service: bool
    recorded_at: datetime.datetime


PHOTOS_ALLOWED = (
    "Whether photos of the person may be shared: true, false, or null when "
    "it was not asked (as on the family page)."
)
PHOTOS_WHERE = "Where photos may be shared (the newsletter, the website ...)."
PHOTOS_ALLOWED_IN = (
    PHOTOS_ALLOWED + " Left out, the answer in the consent in force is kept, so "
    "renewing channels or purposes never loses it."
)


class ConsentIn(InSchema):
    evidence: Consent.Evidence
    evidence_date: datetime.date
    channels: list[Person.Channel]
    purposes: list[UUID] = Field(
        default_factory=list, description="Purpose codes, from /groups/purposes"
    )
    hours: list[HoursIn] = []
    groups: list[UUID] = []
    platforms: list[UUID] = Field(
        default_factory=list,
        description="Codes of the platforms contact may use (from "
        "/groups/platforms); none: the consent does not limit platforms "
        "(rule platform.consented).",
    )
    allowed_roles: list[str] = ["any_worker"]
    allowed_workers: list[UUID] = []
    expires_on: datetime.date | None = None
    given_by: UUID | None = Field(None, description="parent or carer, for a child")
    capacity: str = Field("", description="has_capacity, needs_support, best_interests")
    best_interests_by: str = ""
    accessibility: str = ""
    notes: str = ""
    photos_allowed: bool | None = Field(None, description=PHOTOS_ALLOWED_IN)
    photos_where: str = Field("", max_length=300, description=PHOTOS_WHERE)

    @model_validator(mode="after")
    def _where_only_when_allowed(self) -> Self:
        if self.photos_where and self.photos_allowed is not True:
            raise PydanticCustomError(
                "photos_where_without_yes",
                "'photos_where' is only for 'photos_allowed': true.",
            )
        return self


class WithdrawIn(InSchema):
    evidence: Consent.Evidence
    evidence_date: datetime.date
    withdrawn_by: UUID | None = None
    notes: str = ""


class ConsentOut(Schema):
    code: UUID
    kind: str
    status: str
    state: str = Field(
        description="This record today: current, withdrawn, expired or not_started"
    )
    given_by: UUID | None
    channels: list[str]
    purposes: list[UUID]
    hours: list[dict[str, Any]]
    groups: list[UUID]
    platforms: list[UUID] = Field(
        description="Codes of the platforms contact may use; empty: the "
        "consent does not limit platforms (rule platform.consented)."
    )
    allowed_roles: list[str]
    allowed_workers: list[UUID]
    expires_on: datetime.date | None
    capacity: str
    best_interests_by: str
    accessibility: str
    evidence: str
    evidence_date: datetime.date
    notes: str
    photos_allowed: bool | None = Field(description=PHOTOS_ALLOWED)
    photos_where: str = Field(description=PHOTOS_WHERE)
    recorded_by: str | None
    recorded_at: datetime.datetime
    supersedes: UUID | None

    @staticmethod
    def resolve_given_by(obj: Any) -> UUID | None:
        return obj.given_by.code if obj.given_by else None

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return str(obj.state(org_today(obj.organisation)))

    @staticmethod
    def resolve_purposes(obj: Any) -> list[UUID]:
        return [p.code for p in obj.purposes.all()]

    @staticmethod
    def resolve_groups(obj: Any) -> list[UUID]:
        return [g.code for g in obj.groups.all()]

    @staticmethod
    def resolve_platforms(obj: Any) -> list[UUID]:
        return [p.code for p in obj.platforms.all()]

    @staticmethod
    def resolve_allowed_workers(obj: Any) -> list[UUID]:
        return [p.code for p in obj.allowed_workers.all()]

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return str(obj.recorded_by) if obj.recorded_by else None

    @staticmethod
    def resolve_supersedes(obj: Any) -> UUID | None:
        return obj.supersedes.code if obj.supersedes else None
