"""The base of every API input schema: text and dates the database can store.

Each ``...In`` schema and query filter inherits :class:`InSchema`, so a field
added later is covered without anyone remembering: text is refused (422, not
a 500) when it holds a NUL character, which PostgreSQL cannot store, or runs
past ``MAX_TEXT``; a date or time is refused outside ``EARLIEST``-``LATEST``,
so turning it into a moment in any time zone, or a day either side, cannot
overflow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Self

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from safecontact.lib.dates import EARLIEST, LATEST

# The longest free text any field takes (a concern's narrative, a message body).
MAX_TEXT = 20_000


def check_value(value: Any) -> Any:
    """``value`` unchanged, or a ``PydanticCustomError`` saying what is wrong."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError(
                "nul_character", "Text must not contain NUL characters (\\u0000)."
            )
    elif isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if not EARLIEST <= day <= LATEST:
            raise PydanticCustomError(
                "date_out_of_range",
                "Use a date between {earliest} and {latest}.",
                {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key)
            check_value(item)
    return value


class InSchema(Schema):
    """Input: no NUL in any text, no text past MAX_TEXT, dates in range."""

    # Choices are declared as the models' TextChoices (so the OpenAPI document
    # lists them) and reach the services as plain strings.
    model_config = ConfigDict(str_max_length=MAX_TEXT, use_enum_values=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return check_value(value)


class PatchSchema(InSchema):
    """A partial update: a field left out keeps its value; ``null`` is refused
    for fields the record cannot hold empty (send ``""`` to clear text)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in sorted(self.model_fields_set - self.nullable):
            if getattr(self, name) is None:
                raise PydanticCustomError(
                    "null_not_allowed",
                    "'{field}' cannot be null; leave it out to keep its value.",
                    {"field": name},
                )
        return self


# Agreed hours as ASCII HH:MM: ``\d`` would also take other scripts' digits.
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class HoursIn(InSchema):
    """One window of agreed hours, shared by the register's and groups' APIs."""

    day: int = Field(ge=0, le=6, description="0 is Monday")
    start: str = Field(pattern=HH_MM, examples=["18:00"])
    end: str = Field(pattern=HH_MM, examples=["20:00"])
