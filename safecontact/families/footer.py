"""How to report a worry: the footer at the end of everything SafeContact sends
to a child, a parent or carer, or an adult at risk (guidance: children and
adults at risk should know how to report concerns about online contact).

Wording depends on who reads it: child-friendly for children, Easy Read for
adults at risk, plain for everyone else. The link is the organisation's public
report page (no sign-in, the right form for the reader).
"""

from __future__ import annotations

import enum
from typing import Any

from django.conf import settings
from django.urls import reverse

from safecontact.people.models import Person

CEOP = "https://www.ceop.police.uk/Safety-Centre/"


class Audience(enum.StrEnum):
    CHILD = "child"
    EASY_READ = "easy_read"
    PLAIN = "plain"


def audience_for(kinds: set[str]) -> Audience:
    """The most careful wording anyone in ``kinds`` (Person.Kind values) needs."""
    if Person.Kind.CHILD in kinds:
        return Audience.CHILD
    if Person.Kind.ADULT_AT_RISK in kinds:
        return Audience.EASY_READ
    return Audience.PLAIN


def report_url(organisation: Any, audience: Audience) -> str:
    name = {
        Audience.CHILD: "report:child",
        Audience.EASY_READ: "report:easy_read",
        Audience.PLAIN: "report:start",
    }[audience]
    base = settings.SITE_URL.rstrip("/")
    return base + reverse(name, args=[organisation.report_token])


def report_footer(organisation: Any, audience: Audience) -> str:
    """The footer text, starting with the signature separator."""
    url = report_url(organisation, audience)
    if audience is Audience.CHILD:
        lines = [
            "Worried or upset about a message, or about anyone online?",
            f"You can tell us here, it is safe: {url}",
            f"You can also report to CEOP: {CEOP}",
            "In danger right now? Call 999.",
        ]
    elif audience is Audience.EASY_READ:
        lines = [
            "Worried? Upset? Tell us.",
            f"Use this page: {url}",
            "In danger now? Call 999.",
        ]
    else:
        lines = [
            f"Worried about this message or about contact from {organisation.name}?",
            f"Tell the Safeguarding Lead: {url}",
            "If someone is in danger right now, call 999.",
        ]
    signed = f"Sent through {organisation.name}'s SafeContact account."
    return "\n\n--\n" + "\n".join([signed, *lines])


def footer_for_delivery(delivery: Any) -> str:
    """The report footer for one outgoing email, by who receives it.

    A copy goes to a parent or carer; otherwise the message's recipients
    decide (a child among them makes it child-friendly).
    """
    message = delivery.message
    if delivery.kind == "copy":
        kinds: set[str] = set()
    else:
        kinds = set(message.recipients.values_list("kind", flat=True))
    return report_footer(message.organisation, audience_for(kinds))
