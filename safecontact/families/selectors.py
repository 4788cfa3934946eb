"""What a family page shows: only the people the link's holder decides for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safecontact.contact.models import Message
from safecontact.groups.models import GroupMember
from safecontact.lib.dates import org_today
from safecontact.people.models import Consent, Person
from safecontact.people.selectors import latest_consent

MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class Dependant:
    """One person on the family page, with what the organisation holds."""

    person: Person
    consent: Consent | None
    state: str
    memberships: list[GroupMember]
    messages: list[Message]


def people_for(holder: Person) -> list[Person]:
    """Whom the link's holder decides for: children they have parental
    responsibility for; an adult at risk, themselves."""
    if holder.kind == Person.Kind.ADULT_AT_RISK:
        return [holder]
    return list(
        Person.objects.filter(
            organisation_id=holder.organisation_id,
            kind=Person.Kind.CHILD,
            carers__carer=holder,
            carers__parental_responsibility=True,
        ).order_by("first_name")
    )


def person_for(holder: Person, code: Any) -> Person | None:
    """One of ``people_for(holder)`` by code, or None."""
    return next((p for p in people_for(holder) if p.code == code), None)


def dependant(person: Person) -> Dependant:
    consent = latest_consent(person)
    today = org_today(person.organisation)
    state = "missing" if consent is None else consent.state(today).label
    memberships = list(
        GroupMember.objects.filter(person=person, removed_at=None)
        .select_related("group", "group__platform")
        .order_by("group__name")
    )
    messages = list(
        Message.objects.filter(
            recipients=person,
            direction=Message.Direction.OUTBOUND,
            status=Message.Status.SENT,
        )
        .select_related("sender")
        .order_by("-sent_at")[:MESSAGES_SHOWN]
    )
    return Dependant(person, consent, state, memberships, messages)


def family(holder: Person) -> list[Dependant]:
    return [dependant(p) for p in people_for(holder)]
