"""Who may see which messages, and the Lead's queues."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safecontact.accounts.models import User
from safecontact.contact.models import Alert, Delivery, InboundMessage, Message
from safecontact.contact.services.inputs import ANY_WORKER, Read
from safecontact.groups.models import Group, Purpose
from safecontact.groups.selectors import visible_groups
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import entry_for_message
from safecontact.lib import rawsql
from safecontact.lib.dates import org_today
from safecontact.people.models import Consent, Person, Relationship
from safecontact.people.selectors import visible_people
from safeguarding.policy import ADULT_AGE, ConsentState

SENDERS = ("lead", "deputy", "worker")
# What deciding "in force" and "names this worker" reads of a consent row.
CONSENT_FACTS = (
    "subject_id",
    "kind",
    "status",
    "evidence_date",
    "expires_on",
    "allowed_roles",
    "recorded_at",
)


def visible_messages(user: User) -> QuerySet[Message]:
    """Leads and deputies see every message; workers their own and their inbox.

    Trustees see counts only (``status_counts``), never messages.
    """
    messages = Message.objects.filter(organisation=user.organisation)
    if user.is_lead:
        return messages
    if user.role != User.Role.WORKER:
        return messages.none()
    return messages.filter(Q(author=user) | Q(inbox_items__user=user)).distinct()


def message_for(user: User, code: Any) -> Message:
    """The message if ``user`` may see it; 404 otherwise (other organisations too)."""
    found = (
        visible_messages(user)
        .select_related(
            "sender", "author", "group", "in_reply_to", "organisation", "purpose"
        )
        .filter(code=code)
        .first()
    )
    if found is None:
        raise Http404
    return found


def status_counts(organisation: Any) -> dict[str, int]:
    rows = (
        Message.objects.filter(organisation=organisation)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Message.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def held_messages(organisation: Any) -> QuerySet[Message]:
    return Message.objects.filter(
        organisation=organisation, status=Message.Status.HELD
    ).select_related("sender", "author")


def stopped_messages(organisation: Any, limit: int = 20) -> list[Message]:
    """The newest messages a re-check stopped as they were leaving."""
    found = Message.objects.filter(
        organisation=organisation, status=Message.Status.STOPPED
    ).select_related("sender")
    return list(found[:limit])


def alerts(organisation: Any, status: str = "") -> QuerySet[Alert]:
    found = Alert.objects.filter(organisation=organisation).select_related(
        "message__sender",
        "ledger_entry",
        "audit_finding__audit__group",
        "audit_finding__case",
    )
    return found.filter(status=status) if status else found


def outbox(organisation: Any) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(organisation=organisation)
        .exclude(status=Delivery.Status.SENT)
        .select_related("message")
        .order_by("next_attempt_at", "id")
    )


def quarantine(organisation: Any) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(
        organisation=organisation, status=InboundMessage.Status.QUARANTINED
    )


def contactable_people(
    user: User, among: Sequence[uuid.UUID] | None = None
) -> QuerySet[Person]:
    """Who ``user`` may pick as a recipient: everyone but workers for the Lead,
    deputy and trustees. For a worker: the people in their groups, those
    people's parents and carers, and anyone whose consent in force names the
    worker or their role. The rules still decide each message; this keeps the
    rest of the register out of a worker's sight. ``among`` limits the answer
    (and the work) to the people with these codes."""
    return _contactable(user, among, by_consent=True)


def _contactable(
    user: User, among: Sequence[uuid.UUID] | None, *, by_consent: bool
) -> QuerySet[Person]:
    visible = visible_people(user).exclude(kind=Person.Kind.WORKER)
    people = visible if among is None else visible.filter(code__in=among)
    if user.is_oversight:
        return people
    # Carers of everyone the worker sees, not only of those ``among``: a
    # parent is offered without their child being on the message too.
    carers = Relationship.objects.filter(person__in=visible).values("carer_id")
    found = Q(pk__in=people.values("pk")) | Q(pk__in=carers)
    if by_consent:
        found |= Q(pk__in=_consented_to(user, among))
    everyone = Person.objects.filter(found)
    if among is not None:
        everyone = everyone.filter(code__in=among)
    return everyone.exclude(kind=Person.Kind.WORKER).order_by("last_name", "first_name")


def _consented_to(user: User, among: Sequence[uuid.UUID] | None) -> list[int]:
    """Subjects whose consent in force names this worker or their role."""
    worker = Person.objects.filter(user=user).select_related("worker").first()
    if worker is None:
        return []
    role = getattr(getattr(worker, "worker", None), "role_title", "")
    today = org_today(user.organisation)
    newest: dict[int, Consent] = {}
    rows = Consent.objects.filter(organisation_id=worker.organisation_id).order_by(
        "subject_id", "-recorded_at", "-id"
    )
    if among is not None:
        rows = rows.filter(subject__code__in=among)
    for row in rows.only(*CONSENT_FACTS):
        newest.setdefault(row.subject_id, row)
    in_force = {
        c.pk: c for c in newest.values() if c.state(today) is ConsentState.CURRENT
    }
    named = set(
        Consent.allowed_workers.through.objects.filter(
            person=worker, consent_id__in=in_force
        ).values_list("consent__subject_id", flat=True)
    )
    by_role = {
        c.subject_id
        for c in in_force.values()
        if ANY_WORKER in c.allowed_roles or (role and role in c.allowed_roles)
    }
    return sorted(named | by_role)


def contactable_groups(user: User) -> QuerySet[Group]:
    return visible_groups(user).filter(archived_at__isnull=True)


@dataclass(frozen=True)
class Addressable:
    """Whom a sender may address: the compose page's choices and the only
    people and groups the send API accepts."""

    people: QuerySet[Person]
    groups: QuerySet[Group]


def addressable(user: User, among: Sequence[uuid.UUID] | None = None) -> Addressable:
    """The one answer to "whom may ``user`` write to", for pages and the API
    (which passes the codes it was given as ``among``)."""
    return Addressable(contactable_people(user, among), contactable_groups(user))


def people_by_code(user: User, codes: Sequence[uuid.UUID]) -> list[Person]:
    """The people with these codes in ``user``'s organisation, workers never
    among them; 404 (naming nobody) unless every code is found. Whether
    ``user`` may address them is ``may_address``'s answer."""
    return people_and_purpose(user, codes, None)[0]


def purpose_by_code(organisation_id: int | None, code: uuid.UUID) -> Purpose | None:
    """The organisation's purpose with this code (retired ones too)."""
    return _by_code(organisation_id, [], code)[1]


def people_and_purpose(
    user: User, codes: Sequence[uuid.UUID], purpose: uuid.UUID | None
) -> tuple[list[Person], Purpose | None]:
    """``people_by_code(user, codes)`` (with its 404) and, when ``purpose``
    is given, ``purpose_by_code(user.organisation_id, purpose)``, in one
    query: every API send asks both."""
    people, found = _by_code(user.organisation_id, codes, purpose)
    if len(people) != len(set(codes)):
        raise Http404
    return people, found


def _by_code(
    organisation_id: int | None,
    codes: Sequence[uuid.UUID],
    purpose: uuid.UUID | None,
) -> tuple[list[Person], Purpose | None]:
    # Person.objects.filter(organisation=..., code__in=codes)
    # .exclude(kind=WORKER) and Purpose.objects.filter(organisation=...,
    # code=purpose), in hand-written SQL: a UNION ALL whose rows say which
    # they are, each model's columns in its own place (NULL in the other's).
    parts: list[str] = []
    params: list[Any] = []
    people_width, purpose_width = rawsql.width(Person), rawsql.width(Purpose)
    if codes:
        wanted = [rawsql.prep(Person, "code", c) for c in set(codes)]
        parts.append(
            f"SELECT 'p', {rawsql.columns(Person, 'p')}, {_nulls(purpose_width)}"  # noqa: S608
            ' FROM "people_person" p WHERE p."organisation_id" = %s'
            f' AND p."kind" <> %s AND p."code" IN ({rawsql.placeholders(len(wanted))})'
        )
        params += [organisation_id, Person.Kind.WORKER.value, *wanted]
    if purpose is not None:
        parts.append(
            f"SELECT 'u', {_nulls(people_width)}, {rawsql.columns(Purpose, 'u')}"  # noqa: S608
            ' FROM "groups_purpose" u'
            ' WHERE u."organisation_id" = %s AND u."code" = %s'
        )
        params += [organisation_id, rawsql.prep(Purpose, "code", purpose)]
    if not parts:
        return [], None
    people: list[Person] = []
    found = None
    for row in rawsql.fetch(" UNION ALL ".join(parts), params):
        if row[0] == "p":
            people.append(rawsql.instance(Person, row, 1))
        else:
            found = rawsql.instance(Purpose, row, 1 + people_width)
    return people, found


def _nulls(count: int) -> str:
    return ", ".join(["NULL"] * count)


def may_address(user: User, read: Read, today: dt.date) -> bool:
    """Whether ``contactable_people(user)`` offers everyone in ``read.to``
    (who are in ``user``'s organisation and not workers), answered from the
    rows the send reads anyway where it can: a consent in force that names
    the worker or their role needs no query. Anyone else is looked up the
    way the compose page does."""
    if user.is_oversight:
        return True
    named = _named_by_consent(read, today)
    rest = [p.code for p in read.to if p.pk not in named]
    if not rest:
        return True
    # The consent rule has had its say (from the same rows): only the groups
    # and carers are left to look up.
    return _contactable(user, rest, by_consent=False).count() == len(rest)


def _named_by_consent(read: Read, today: dt.date) -> set[int]:
    """``_consented_to`` for the people in ``read``, from its rows."""
    worker = read.sender
    if worker is None:
        return set()
    role = getattr(getattr(worker, "worker", None), "role_title", "")
    code = str(worker.code)
    named = set()
    for person in read.to:
        row = read.facts.consents.get(person.pk)
        if row is None or row.state(today) is not ConsentState.CURRENT:
            continue
        roles = row.allowed_roles
        if (
            code in read.facts.workers.get(row.pk, ())
            or ANY_WORKER in roles
            or (role and role in roles)
        ):
            named.add(person.pk)
    return named


def purpose_fits(purpose: Purpose, read: Read, today: dt.date) -> bool:
    """``purpose_problem`` is "" for a message to ``read.to`` (no group),
    answered from the consents the send reads anyway."""
    if purpose.retired_at is not None:
        return False
    code = str(purpose.code)
    for person in read.to:
        row = read.facts.consents.get(person.pk)
        if (
            _needs_consent(person, today)
            and row is not None
            and row.state(today) is ConsentState.CURRENT
            and code not in read.facts.purposes.get(row.pk, ())
        ):
            return False
    return True


def purposes_for(
    organisation: Any,
    *,
    group: Group | None = None,
    people: Sequence[Person] = (),
    today: dt.date,
) -> QuerySet[Purpose]:
    """The purposes a message may have: a group's own purposes, or for
    people those every consent in force allows. People without consent in
    force do not narrow it: the rules block the message and say why."""
    found = Purpose.objects.filter(organisation=organisation, retired_at=None)
    if group is not None:
        return found.filter(groups=group)
    allowed: set[int] | None = None
    for consent in _consents_in_force(people, today):
        ids = {p.pk for p in consent.purposes.all()}
        allowed = ids if allowed is None else allowed & ids
    return found if allowed is None else found.filter(pk__in=allowed)


def _consents_in_force(people: Sequence[Person], today: dt.date) -> list[Consent]:
    """The newest consent of each child or adult at risk, where in force."""
    needs = [p.pk for p in people if _needs_consent(p, today)]
    newest: dict[int, Consent] = {}
    rows = (
        Consent.objects.filter(subject_id__in=needs)
        .prefetch_related("purposes")
        .order_by("subject_id", "-recorded_at", "-id")
    )
    for row in rows:
        newest.setdefault(row.subject_id, row)
    return [c for c in newest.values() if c.state(today) is ConsentState.CURRENT]


def _needs_consent(person: Person, today: dt.date) -> bool:
    """A child under 18 or an adult at risk: their consent limits purposes."""
    return person.kind == Person.Kind.ADULT_AT_RISK or (
        person.kind == Person.Kind.CHILD and (person.age(today) or 0) < ADULT_AGE
    )


def purpose_problem(
    purpose: Purpose,
    *,
    group: Group | None,
    people: Sequence[Person],
    today: dt.date,
) -> str:
    """Why ``purpose`` cannot be chosen for this message, or "" if it can."""
    if purpose.retired_at is not None:
        return f"{purpose} is retired: choose a purpose in use."
    offered = list(
        purposes_for(purpose.organisation_id, group=group, people=people, today=today)
    )
    if purpose in offered:
        return ""
    names = ", ".join(str(p) for p in offered)
    if group is not None:
        return f"{purpose} is not a purpose of {group}. Choose one of: {names}."
    if not offered:
        return (
            "The consents of the people you chose have no purpose in common: "
            "write to them separately."
        )
    return f"The consent of the people you chose does not allow {purpose}. Choose one of: {names}."


def log_entry_for(message: Message) -> LedgerEntry | None:
    """The contact-log entry that recorded this message first."""
    return entry_for_message(message.organisation_id, message.code)
