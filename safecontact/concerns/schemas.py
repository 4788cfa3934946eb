from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from safecontact.concerns.models import Case, Referral
from safecontact.lib.schemas import InSchema


class EvidenceIn(InSchema):
    kind: str = Field(description="alert or ledger_entry")
    code: UUID


class ConcernIn(InSchema):
    narrative: str = Field(min_length=1, max_length=20000)
    about: Case.About = Case.About.UNSURE
    about_description: str = Field("", max_length=500)
    about_user: UUID | None = Field(None, description="code of the user it is about")
    evidence: list[EvidenceIn] = []


class CaseFilterIn(InSchema):
    status: str = Field("", max_length=32)


class ConcernOut(Schema):
    reference: str
    message: str


class CaseSummaryOut(Schema):
    code: UUID
    reference: str
    status: str
    category: str
    risk: str
    created_at: datetime.datetime
    closed_at: datetime.datetime | None


class ChronologyIn(InSchema):
    text: str = Field(min_length=1, max_length=20000)
    occurred_at: datetime.datetime | None = None


class ChronologyOut(Schema):
    code: UUID
    kind: str
    occurred_at: datetime.datetime
    text: str
    author: str | None


class ReferralIn(InSchema):
    agency: Referral.Agency
    made_on: datetime.date
    reference_number: str = Field("", max_length=64)
    outcome: str = Field("", max_length=5000)


class ReferralOut(Schema):
    code: UUID
    agency: str
    made_on: datetime.date
    made_by: str | None
    reference_number: str
    outcome: str


class DecisionOut(Schema):
    code: UUID
    decision: str
    rationale: str
    decided_at: datetime.datetime
    decided_by: str | None


class ActionOut(Schema):
    code: UUID
    description: str
    owner: str | None
    due_on: datetime.date
    done_at: datetime.datetime | None


class EvidenceOut(Schema):
    kind: str
    code: str


class CaseOut(CaseSummaryOut):
    source: str
    form: str
    narrative: str
    about: str
    about_description: str
    anonymous: bool
    reporter_name: str
    reporter_contact: str
    outcome: str
    chronology: list[ChronologyOut]
    decisions: list[DecisionOut]
    referrals: list[ReferralOut]
    actions: list[ActionOut]
    evidence: list[EvidenceOut]
    attachments: int
