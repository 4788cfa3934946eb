"""JSON shapes shared by the register's and the groups' APIs."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class HoursIn(Schema):
    day: int = Field(ge=0, le=6, description="0 is Monday")
    start: str = Field(pattern=r"^\d\d:\d\d$", examples=["18:00"])
    end: str = Field(pattern=r"^\d\d:\d\d$", examples=["20:00"])
