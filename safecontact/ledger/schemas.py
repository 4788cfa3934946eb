from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from safecontact.lib.schemas import InSchema


class EntryFilterIn(InSchema):
    kind: str = Field("", max_length=64)
    person: UUID | None = None
    group: UUID | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    @field_validator("until")
    @classmethod
    def _dates_in_order(cls, until: dt.date | None, info: ValidationInfo) -> Any:
        since = info.data.get("since")
        if since and until and since > until:
            raise PydanticCustomError(
                "dates_out_of_order", "'until' must be on or after 'since'."
            )
        return until


class EntryOut(Schema):
    code: UUID
    seq: int
    kind: str
    content: dict[str, Any]
    subjects: list[str]
    actor: str
    created_at: dt.datetime
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class VerifyOut(Schema):
    ok: bool
    checked_count: int
    first_bad_seq: int | None
    problem: str | None
    message: str
