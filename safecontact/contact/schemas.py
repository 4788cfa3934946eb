from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from safecontact.contact.models import Message
from safecontact.lib.schemas import InSchema


class MessageIn(InSchema):
    recipients: list[UUID] = Field(default_factory=list, description="Person codes")
    group: UUID | None = Field(None, description="Group code: send to everyone in it")
    channel: Message.Channel = Message.Channel.EMAIL
    purpose: UUID | None = Field(
        None, description="Purpose code, from /groups/purposes (required to send)"
    )
    subject: str = Field("", max_length=200)
    body: str = Field(..., min_length=1, max_length=20_000)
    urgent_reason: str = Field("", max_length=500)


class AlertFilterIn(InSchema):
    status: str = Field("", max_length=32)


class ReasonOut(Schema):
    rule_id: str
    effect: str
    message: str
    guidance: str
    fix: str
    person: str | None = None
    person_name: str = ""


class DecisionOut(Schema):
    outcome: str
    outcome_label: str = ""
    may_send: bool = False
    deliver_at: str | None = None
    reasons: list[ReasonOut]
    changes: list[dict[str, Any]] = Field(default_factory=list)


class RecipientOut(Schema):
    person: UUID
    name: str
    role: str
    added_by_rule: str


class DeliveryOut(Schema):
    code: UUID
    kind: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    sent_at: dt.datetime | None


class MessageOut(Schema):
    code: UUID
    status: str
    direction: str
    channel: str
    purpose: str = Field(description="The purpose's name ('' if none)")
    purpose_code: UUID | None = None
    subject: str
    created_at: dt.datetime
    deliver_at: dt.datetime | None
    decision: DecisionOut

    @staticmethod
    def resolve_purpose(obj: Any) -> str:
        return obj.purpose.name if obj.purpose else ""

    @staticmethod
    def resolve_purpose_code(obj: Any) -> UUID | None:
        return obj.purpose.code if obj.purpose else None


class MessageDetailOut(MessageOut):
    body: str
    recipients: list[RecipientOut]
    deliveries: list[DeliveryOut]

    @staticmethod
    def resolve_recipients(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "person": r.person.code,
                "name": str(r.person),
                "role": r.role,
                "added_by_rule": r.added_by_rule,
            }
            for r in obj.recipient_rows.select_related("person")
        ]

    @staticmethod
    def resolve_deliveries(obj: Any) -> list[Any]:
        return list(obj.deliveries.all())


class PreviewOut(Schema):
    status: str
    decision: DecisionOut


class FindingOut(Schema):
    field: str = "body"
    indicator: str
    severity: int
    severity_label: str = ""
    start: int
    end: int
    evidence: str
    explanation: str
    next_step: str


class AlertOut(Schema):
    code: UUID
    status: str
    severity: int
    kind: str
    message: UUID | None = Field(
        description="The message the alert is about; none for an audit's alert."
    )
    audit_finding: UUID | None = Field(
        description="The group audit finding it is about (its lines stay there)."
    )
    ledger_entry: UUID | None
    findings: list[FindingOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_message(obj: Any) -> UUID | None:
        return UUID(str(obj.message.code)) if obj.message else None

    @staticmethod
    def resolve_audit_finding(obj: Any) -> UUID | None:
        return obj.audit_finding.code if obj.audit_finding else None

    @staticmethod
    def resolve_ledger_entry(obj: Any) -> UUID | None:
        return obj.ledger_entry.code if obj.ledger_entry else None
