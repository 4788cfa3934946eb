"""Accessibility preferences applied in the outbox.

``safeguarding.policy.routing`` decides, person by person, the channel
(their preferred one when the consent allows) and the format (large print,
plain text). Here the message's recipients become outbox rows: one row when
nobody asked for anything different (as before), else one row per channel
and format. Every emailed row shows the same To and Cc as the message, so a
parent copied in still sees whom it went to; each row is sent only to its
own people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.utils import timezone

from safecontact.contact.models import Message, Recipient
from safecontact.contact.services import inputs
from safecontact.people.models import Person
from safeguarding import policy
from safeguarding.policy import Channel, PersonKind
from safeguarding.policy.routing import (
    Format,
    Preferences,
    Route,
    needs_consent_read,
    route,
)

EMAIL, INBOX = "email", "inbox"


def preferences(person: Person, consent: policy.Consent | None = None) -> Preferences:
    reach = {Channel.EMAIL} if person.email else set()
    if person.user_id is not None:
        reach.add(Channel.IN_APP)
    wanted = person.preferred_channel
    return Preferences(
        id=str(person.code),
        kind=PersonKind(person.kind),
        date_of_birth=person.date_of_birth,
        preferred=Channel(wanted) if wanted in Channel else None,
        reachable=frozenset(reach),
        consent=consent,
        large_print=person.large_print,
        plain_text=person.plain_text_email,
    )


def routes(people: Sequence[Person], channel: Channel, today: dt.date) -> list[Route]:
    """Each person's route; consents are read (one query) only for people
    whose preferred channel could move the message."""
    prefs = [preferences(p) for p in people]
    needed = [
        p.pk
        for p, pref in zip(people, prefs, strict=True)
        if needs_consent_read(pref, channel, today)
    ]
    if needed:
        rows = inputs.newest_consents(needed)
        prefs = [
            replace(pref, consent=_consent(rows.get(p.pk)))
            for p, pref in zip(people, prefs, strict=True)
        ]
    return [route(pref, channel, today) for pref in prefs]


def _consent(row: Any) -> policy.Consent | None:
    if row is None:
        return None
    channels = frozenset(Channel(c) for c in row.channels if c in Channel)
    return replace(row.facts(), channels=channels)


def outbox_rows(message: Message, rows: Sequence[Recipient]) -> list[dict[str, Any]]:
    """The fields of each outbox row for ``message`` (``to``, ``cc``, ``bcc``,
    ``routing``); one row with empty routing when preferences change nothing."""
    channel = Channel(message.channel)
    today = policy.local_day(timezone.now(), message.organisation.timezone)
    found = routes([r.person for r in rows], channel, today)
    if all(r.channel is channel and r.format is Format.TEXT for r in found):
        return [_row(message, rows)]
    parts: dict[tuple[Channel, Format], list[Recipient]] = {}
    for row, found_route in zip(rows, found, strict=True):
        key = (found_route.channel, found_route.format)
        parts.setdefault(key, []).append(row)
    shown = _lists(rows) if channel is Channel.EMAIL else None
    out = []
    for (where, fmt), members in parts.items():
        routing: dict[str, Any] = {
            "by": EMAIL if where is Channel.EMAIL else INBOX,
            "people": [str(r.person.code) for r in members],
        }
        if where is Channel.EMAIL:
            routing["format"] = fmt.value
            if shown is not None:
                routing["shown"] = {"to": shown["to"], "cc": shown["cc"]}
            out.append({**_lists(members), "routing": routing})
        else:
            out.append({"routing": routing})
    return out


def _row(message: Message, rows: Sequence[Recipient]) -> dict[str, Any]:
    if message.channel != Message.Channel.EMAIL:
        return {}
    return dict(_lists(rows))


def _lists(rows: Sequence[Recipient]) -> dict[str, list[str]]:
    from safecontact.contact.services.sending import address

    lists: dict[str, list[str]] = {"to": [], "cc": [], "bcc": []}
    for row in rows:
        lists[row.role].append(address(row.person))
    return lists


def by(delivery: Any) -> str:
    """How a row leaves: by email or into SafeContact inboxes."""
    found = delivery.routing.get("by") if delivery.routing else None
    if found:
        return str(found)
    return INBOX if delivery.message.channel == Message.Channel.IN_APP else EMAIL
