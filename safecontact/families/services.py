"""Family links: issue, request by email, resolve; consent given online.

The link's token is 256 random bits; only its SHA-256 is stored. A link works
for one person, until it expires or a newer one replaces it. Requests by email
address answer the same whether or not the address is known, and are limited
per client address and per email address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safecontact.audittrail.services import save_and_record
from safecontact.families.footer import Audience, report_footer
from safecontact.families.models import FamilyLink, LinkRequestThrottle
from safecontact.groups.models import GroupMember
from safecontact.lib.access import require_lead
from safecontact.lib.large_print import email_in_format, wants_large_print
from safecontact.people.models import Person

log = logging.getLogger(__name__)

LINK_LIFETIME = dt.timedelta(days=14)
REQUESTS_PER_HOUR = 5  # per client address
REQUESTS_PER_ADDRESS_PER_HOUR = 3  # per email address asked for
# Who gets a family page: the people who decide about contact.
FAMILY_KINDS = (Person.Kind.PARENT, Person.Kind.ADULT_AT_RISK)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("families:home", args=[token])


@transaction.atomic
def issue_link(
    *, actor: Any, person: Person, send: bool = True
) -> tuple[FamilyLink, str]:
    """A new link for ``person`` (replacing any earlier one) and its URL.

    ``actor`` is the Lead sending it, or None when the person asked for it.
    The email leaves after the transaction commits; with ``send=False`` the
    caller sends it (``send_link``) and learns whether it left.
    """
    if actor is not None:
        require_lead(actor, person.organisation_id)
    if person.kind not in FAMILY_KINDS or not person.email:
        raise ValueError("Family links go to parents, carers and adults at risk.")
    now = timezone.now()
    person.family_links.filter(replaced_at=None).update(replaced_at=now)
    token = secrets.token_urlsafe(32)
    link = FamilyLink.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    save_and_record(
        actor=actor,
        organisation=person.organisation,
        obj=link,
        before=None,
        after={"person": str(person.code), "expires_at": link.expires_at.isoformat()},
    )

    url = link_url(token)
    if send:
        transaction.on_commit(lambda: send_link(person, url, link.expires_at))
    return link, url


def send_link(
    person: Person, url: str, expires_at: dt.datetime, note: str = ""
) -> bool:
    """Email ``person`` their link, with ``note`` (why it was sent) first.
    False when the mail server could not take it."""
    org = person.organisation
    audience = (
        Audience.EASY_READ
        if person.kind == Person.Kind.ADULT_AT_RISK
        else Audience.PLAIN
    )
    if audience is Audience.EASY_READ:
        body = (
            f"Hello {person.first_name},\n\n"
            f"This is your own page at {org.name}.\n"
            f"On it you can say yes or no to us contacting you.\n\n{url}\n\n"
            "Only you should use this link. Do not share it.\n"
            f"It works until {expires_at:%d %B %Y}."
        )
    else:
        body = (
            f"Dear {person.first_name},\n\n"
            f"Your family page at {org.name} shows the consent you have given "
            "for online contact with your children, their groups and agreed "
            "hours, and the messages sent to them. You can give, change or "
            f"withdraw consent there.\n\n{url}\n\n"
            "The link is for you alone: please do not forward it. It works "
            f"until {expires_at:%d %B %Y}; you can ask for a new one at any time."
        )
    if note:
        body = body.replace("\n\n", f"\n\n{note}\n\n", 1)
    return _mail(
        org,
        person,
        f"Your family page at {org.name}",
        body + report_footer(org, audience),
    )


def _mail(org: Any, reader: Person, subject: str, body: str) -> bool:
    """Send one notification in the form the reader asked for (large print,
    plain text); a mail server that is down is logged, never turned into an
    error page (the reader can ask again). False when it did not leave."""
    try:
        email_in_format(
            large_print=wants_large_print(reader),
            subject=subject,
            body=body,
            from_email=formataddr(
                (org.name, org.email_from or settings.DEFAULT_FROM_EMAIL)
            ),
            to=[reader.email],
        ).send()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Could not email %s: %s", reader.code, type(exc).__name__)
        return False
    return True


def resolve_link(token: str, *, now: dt.datetime | None = None) -> FamilyLink | None:
    """The working link with ``token``, or None (unknown, expired, replaced).

    Every failure looks the same to the caller and to the visitor.
    """
    if not token or len(token) > 100:
        return None
    now = now or timezone.now()
    link = (
        FamilyLink.objects.select_related("person", "person__organisation")
        .filter(token_hash=_hash(token))
        .first()
    )
    if link is None or not link.works_at(now):
        return None
    FamilyLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


def _throttle_key(*parts: str) -> str:
    return hashlib.sha256("|".join([settings.SECRET_KEY, *parts]).encode()).hexdigest()


def allow_link_request(*, client_address: str, email: str) -> bool:
    """Count this request; False once the address, or the email address
    asked for, has had too many this hour."""
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    LinkRequestThrottle.objects.filter(at__lt=hour_ago).delete()
    by_client = _throttle_key("client", client_address)
    by_email = _throttle_key("email", email.strip().lower())
    recent = LinkRequestThrottle.objects.filter(at__gte=hour_ago)
    if (
        recent.filter(key=by_client).count() >= REQUESTS_PER_HOUR
        or recent.filter(key=by_email).count() >= REQUESTS_PER_ADDRESS_PER_HOUR
    ):
        return False
    LinkRequestThrottle.objects.bulk_create(
        [
            LinkRequestThrottle(key=by_client, at=now),
            LinkRequestThrottle(key=by_email, at=now),
        ]
    )
    return True


def request_link(*, email: str) -> int:
    """Send a fresh link to every parent, carer or adult at risk with this
    email address. Returns how many were sent; callers must not show it."""
    people = Person.objects.filter(
        email__iexact=email.strip(), kind__in=FAMILY_KINDS
    ).select_related("organisation")
    sent = 0
    for person in people:
        issue_link(actor=None, person=person)
        sent += 1
    return sent


def send_conduct_agreement(member_id: int) -> int:
    """Email a new member's group conduct agreement (what the group is for,
    what is and is not OK); for a child, to their parents and carers with
    parental responsibility. Returns how many emails were sent."""
    member = (
        GroupMember.objects.select_related("group", "person", "group__organisation")
        .filter(pk=member_id)
        .first()
    )
    if member is None or not member.group.conduct_agreement.strip():
        return 0
    person, group = member.person, member.group
    if person.kind == Person.Kind.CHILD:
        readers = list(
            Person.objects.filter(
                cares_for__person=person, cares_for__parental_responsibility=True
            ).exclude(email="")
        )
        intro = (
            f"{person.first_name} has joined {group.name} at "
            f"{group.organisation.name}. This is the group's agreement: what "
            "the group is for and what is and is not OK. Please go through it "
            f"with {person.first_name}."
        )
    else:
        readers = [person] if person.email else []
        intro = (
            f"You have joined {group.name}. This is the group's agreement: "
            "what the group is for and what is and is not OK."
        )
    easy = person.kind == Person.Kind.ADULT_AT_RISK
    footer = report_footer(
        group.organisation, Audience.EASY_READ if easy else Audience.PLAIN
    )
    for reader in readers:
        _mail(
            group.organisation,
            reader,
            f"The agreement for {group.name}",
            f"Dear {reader.first_name},\n\n{intro}\n\n"
            f"{group.conduct_agreement.strip()}{footer}",
        )
    return len(readers)
