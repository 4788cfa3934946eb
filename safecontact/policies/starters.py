"""Starting texts for the policies the guidance asks every organisation to keep.

Written for SafeContact in plain English; an organisation edits its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from safecontact.policies.models import Policy

_DIR = Path(__file__).parent / "starters"


@dataclass(frozen=True, slots=True)
class Starter:
    slug: str
    title: str
    area: str
    audience: str
    blurb: str

    @property
    def body(self) -> str:
        return _text(self.slug)


@cache
def _text(slug: str) -> str:
    return (_DIR / f"{slug}.md").read_text(encoding="utf-8")


STARTERS = (
    Starter(
        "contact",
        "Contacting children and adults at risk online",
        Policy.Area.CONTACT,
        Policy.Audience.EVERYONE,
        "Purpose, consent, no one-to-one contact with a child, agreed hours.",
    ),
    Starter(
        "storage",
        "Safe storage of records and devices",
        Policy.Area.STORAGE,
        Policy.Audience.EVERYONE,
        "Where records are kept, locked devices, retention.",
    ),
    Starter(
        "data",
        "Sharing and use of personal data",
        Policy.Area.DATA,
        Policy.Audience.EVERYONE,
        "Sharing as little as possible, hidden addresses, photo consent.",
    ),
    Starter(
        "social",
        "Managing social media and group chats",
        Policy.Area.SOCIAL,
        Policy.Audience.EVERYONE,
        "Who is in each group, platform ages, two adults, conduct agreements.",
    ),
    Starter(
        "conduct",
        "Code of conduct for online contact",
        Policy.Area.CONDUCT,
        Policy.Audience.EVERYONE,
        "What every worker agrees to before contacting anyone online.",
    ),
)
BY_SLUG = {s.slug: s for s in STARTERS}


@dataclass(frozen=True, slots=True)
class TemplateStarter:
    """A policy text an umbrella body published to its members."""

    slug: str
    title: str
    area: str
    audience: str
    blurb: str
    body: str


def umbrella_starters(organisation: Any) -> dict[str, TemplateStarter]:
    """Policy templates from the umbrella body ``organisation`` belongs to (1 query)."""
    from safecontact.dashboard.models import UmbrellaTemplate

    found = UmbrellaTemplate.objects.for_member(
        organisation, UmbrellaTemplate.Kind.POLICY
    )
    return {
        f"umbrella-{t.code}": TemplateStarter(
            f"umbrella-{t.code}",
            t.title,
            t.area if t.area in Policy.Area.values else Policy.Area.OTHER,
            Policy.Audience.EVERYONE,
            f"from {t.umbrella.name}",
            t.body,
        )
        for t in found
    }
