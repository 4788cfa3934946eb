"""What a family page shows: only the people the link's holder decides for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from safecontact.contact.models import Message
from safecontact.families.requests import renewal_sent
from safecontact.groups.models import GroupMember
from safecontact.lib.dates import org_today
from safecontact.people.models import Consent, Person
from safecontact.people.selectors import AttentionItem, latest_consent

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


# --- The attention list: consent ending soon --------------------------------------


def ending_soon(organisation: Any, day: dt.date) -> list[Consent]:
    """Consents in force that end within the organisation's notice period,
    each the newest record for its person (one query)."""
    newer = Consent.objects.filter(
        subject_id=OuterRef("subject_id"), recorded_at__gt=OuterRef("recorded_at")
    )
    last = day + dt.timedelta(days=organisation.consent_notice_days)
    return list(
        Consent.objects.filter(
            organisation=organisation,
            status=Consent.Status.GIVEN,
            evidence_date__lte=day,
            expires_on__gte=day,
            expires_on__lte=last,
        )
        .exclude(Exists(newer))
        .select_related("subject")
        .order_by("expires_on", "subject__last_name", "subject__first_name")
    )


def renewal_items(organisation: Any, day: dt.date) -> list[AttentionItem]:
    """One item per consent ending soon: one click asks for a renewal; once
    asked, the item links to who has answered (two queries in all)."""
    consents = ending_soon(organisation, day)
    asked = renewal_sent([c.pk for c in consents])
    items = []
    for consent in consents:
        days = (consent.expires_on - day).days if consent.expires_on else 0
        ends = f"Consent ends on {consent.expires_on:%d %B %Y} ({days} days)."
        sent = asked.get(consent.pk)
        if sent is None:
            fix = (
                "Send a renewal request",
                reverse("families:renew", args=[consent.code]),
            )
        else:
            ends += f" A renewal request was sent on {sent[0]:%d %B %Y}."
            fix = ("See who has answered", reverse("families:batch", args=[sent[1]]))
        items.append(
            AttentionItem(
                "consent_renewal",
                consent.subject,
                ends,
                *fix,
                due=consent.expires_on,
                fix_post=sent is None,
            )
        )
    return items
