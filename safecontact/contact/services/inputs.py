"""Build the policy engine's inputs from the register.

The engine in ``safeguarding.policy`` knows nothing about models: here the
register's rows become its frozen values, with people identified by their
public code (``str(person.code)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from safecontact.accounts.models import Organisation, User
from safecontact.groups.models import Group
from safecontact.groups.models import Purpose as PurposeRow
from safecontact.groups.selectors import policy_platform
from safecontact.lib import rawsql
from safecontact.people import selectors as register
from safecontact.people.models import Consent as ConsentRow
from safecontact.people.models import Person, Training, VettingCheck, WorkerProfile
from safecontact.policies.selectors import binding_unread
from safeguarding import policy
from safeguarding.policy import (
    AgreedHours,
    Audience,
    Capacity,
    Channel,
    ConsentKind,
    CopyPolicy,
    GroupInfo,
    OrgRules,
    OutsideHours,
    PersonKind,
    Recipient,
    Sender,
    Window,
)
from safeguarding.screening import scanner
from safeguarding.screening.findings import Finding, Severity

ANY_WORKER = "any_worker"


def scan(text: str) -> tuple[Finding, ...]:
    """The scanner (each thread scans with its own Hyperscan scratch)."""
    if not text:
        return ()
    return scanner.scan(text)


ADULT_MEMBER_KINDS = (Person.Kind.PARENT, Person.Kind.OTHER_ADULT)


@dataclass(frozen=True, slots=True)
class Register:
    """What a decision was built from: people by code, for applying it."""

    sender: Person | None
    people: dict[str, Person]


def hours_of(rows: Iterable[dict[str, Any]] | None) -> AgreedHours | None:
    """The register's hours JSON as agreed hours; empty means none agreed."""
    windows = tuple(
        Window(
            int(row["day"]),
            dt.time.fromisoformat(row["start"]),
            dt.time.fromisoformat(row["end"]),
        )
        for row in rows or ()
    )
    return AgreedHours(windows) if windows else None


def sender_row(actor: User) -> Person | None:
    """The actor's register entry with what clearance reads (its worker
    profile, DBS checks and training), as ``Person.objects.filter(user=actor)
    .select_related("worker").prefetch_related("vetting_checks",
    "training")`` gives it, in two hand-written queries. The organisation
    is the actor's, already loaded with the API key or session user."""
    found = rawsql.fetch(
        f"SELECT {rawsql.columns(Person, 'p')}, {rawsql.columns(WorkerProfile, 'w')}"  # noqa: S608
        ' FROM "people_person" p LEFT JOIN "people_workerprofile" w'
        ' ON w."person_id" = p."id" WHERE p."user_id" = %s LIMIT 1',
        [actor.pk],
    )
    if not found:
        return None
    row = found[0]
    person = rawsql.instance(Person, row)
    profile = None
    if row[rawsql.width(Person)] is not None:
        profile = rawsql.instance(WorkerProfile, row, rawsql.width(Person))
        rawsql.cache_related(profile, "person", person)
    rawsql.cache_related(person, "worker", profile)
    checks, courses = _vetting_and_training(person.pk)
    rawsql.cache_prefetched(person, "vetting_checks", VettingCheck, checks)
    rawsql.cache_prefetched(person, "training", Training, courses)
    org = actor.organisation
    if org is not None and person.organisation_id == org.pk:
        person.organisation = org
    return person


def _vetting_and_training(
    person_id: int,
) -> tuple[list[VettingCheck], list[Training]]:
    """A person's DBS checks and training records in one query (in no
    order: clearance sorts them)."""
    checks, courses = rawsql.width(VettingCheck), rawsql.width(Training)
    pad_checks, pad_courses = ", NULL" * checks, ", NULL" * courses
    rows = rawsql.fetch(
        f"SELECT 'v', {rawsql.columns(VettingCheck, 'v')}{pad_courses}"  # noqa: S608
        ' FROM "people_vettingcheck" v WHERE v."person_id" = %s'
        f" UNION ALL SELECT 't'{pad_checks}, {rawsql.columns(Training, 't')}"
        ' FROM "people_training" t WHERE t."person_id" = %s',
        [person_id, person_id],
    )
    found_checks = [rawsql.instance(VettingCheck, r, 1) for r in rows if r[0] == "v"]
    found_courses = [
        rawsql.instance(Training, r, 1 + checks) for r in rows if r[0] == "t"
    ]
    return found_checks, found_courses


class _Unread:
    """Marks an argument the function reads itself."""


UNREAD = _Unread()


def sender_for(
    actor: User,
    today: dt.date,
    channel: str = "",
    person: Person | _Unread | None = UNREAD,
) -> tuple[Sender, Person | None]:
    """The sender as the engine sees it; ``person`` is ``sender_row(actor)``
    when the caller has read it already."""
    if isinstance(person, _Unread):
        person = sender_row(actor)
    org = actor.organisation
    if person is None or register.worker_profile(person) is None:
        reasons = ("Your login is not linked to a worker in the register.",)
        return Sender("", False, False, False, reasons), person
    clear = register.worker_clearance(person, today)
    profile = register.worker_profile(person)
    role = (profile.role_title if profile else "") or "worker"
    why = tuple(r for r in clear.reasons if not r.startswith("Active"))
    if not actor.is_active:  # switched off when they left
        why = ("Your login has been switched off.", *why)
    sender = Sender(
        id=str(person.code),
        is_active_worker=clear.active and actor.is_active,
        cleared_children=clear.children and actor.is_active,
        cleared_adults=clear.adults and actor.is_active,
        clearance_reasons=why,
        role=role,
        personal_account=channel == Channel.EMAIL and _from_own_address(person, org),
        conduct_unread=binding_unread(person, is_lead=actor.is_lead),
    )
    return sender, person


def _from_own_address(person: Person, org: Organisation | None) -> bool:
    """Email leaves from the organisation's from-address; when that is the
    worker's own address in the register, it is their personal account."""
    own, sent_from = person.email.strip().lower(), org.email_from if org else ""
    return bool(own) and own == sent_from.strip().lower()


def purpose_of(row: PurposeRow | None) -> policy.Purpose | None:
    """A purpose from the organisation's list as the engine compares it."""
    if row is None:
        return None
    return policy.Purpose(str(row.code), row.name, row.retired_at is not None)


def consent_for(
    row: ConsentRow | None,
    sender: Sender,
    groups: Iterable[str],
    workers: Iterable[str],
    purposes: Iterable[str] = (),
    platforms: Iterable[str] = (),
) -> policy.Consent | None:
    """The consent as the engine sees it; ``groups``, ``workers``,
    ``purposes`` and ``platforms`` are the codes its many-to-many rows point
    at."""
    if row is None:
        return None
    roles = set(row.allowed_roles)
    if ANY_WORKER in roles and sender.role:
        roles.add(sender.role)
    return policy.Consent(
        kind=ConsentKind(row.kind),
        given_on=row.evidence_date,
        expires_on=row.expires_on,
        withdrawn=row.status == ConsentRow.Status.WITHDRAWN,
        channels=frozenset(Channel(c) for c in row.channels if c in Channel),
        platforms=frozenset(platforms),
        purposes=frozenset(purposes),
        groups=frozenset(groups),
        hours=hours_of(row.hours),
        allowed_senders=frozenset(workers),
        allowed_roles=frozenset(roles),
        capacity=Capacity(row.capacity) if row.capacity else None,
        capacity_decided_by=row.best_interests_by,
    )


def reachable(person: Person, channel: str) -> bool:
    """Can the gateway deliver to ``person`` on ``channel``?"""
    if channel == Channel.IN_APP:
        return person.user_id is not None
    return bool(person.email)


Codes = dict[int, list[str]]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the register holds about some recipients, read in three queries
    in all rather than five per recipient: carers with parental
    responsibility, each person's newest consent, and the group, named-worker,
    purpose and platform codes of those consents (by consent pk)."""

    carers: dict[int, list[Person]]
    consents: dict[int, ConsentRow]
    groups: Codes
    workers: Codes
    purposes: Codes
    platforms: Codes


def read_facts(to: Sequence[Person]) -> Facts:
    """The same rows as ``people.selectors`` would give, for many people."""
    consents, codes = _newest_consents_and_codes([p.pk for p in to])
    return Facts(_carers(to), consents, *codes)


@dataclass(frozen=True, slots=True)
class Read:
    """The register rows a message to ``to`` is judged on. The send API reads
    them once, checks whom the sender may address and which purposes fit
    with them, and hands them to ``send_message`` so nothing is read twice."""

    actor: User
    to: tuple[Person, ...]
    sender: Person | None
    facts: Facts


def read_for(actor: User, to: Sequence[Person]) -> Read:
    return Read(actor, tuple(to), sender_row(actor), read_facts(to))


def recipients_for(
    to: Sequence[Person],
    sender: Sender,
    channel: str,
    people: dict[str, Person],
    facts: Facts | None = None,
) -> tuple[Recipient, ...]:
    """The engine's view of every recipient (``facts`` read if not given),
    and a query more only when someone named a supporter."""
    facts = facts or read_facts(to)
    carers = {
        pk: [c for c in found if reachable(c, channel)]
        for pk, found in facts.carers.items()
    }
    for found in carers.values():
        people.update({str(c.code): c for c in found})
    supporters = _supporters(to, channel)
    people.update({str(s.code): s for s in supporters.values()})
    recipients = []
    for person in to:
        row = facts.consents.get(person.pk)
        pk = row.pk if row else 0
        helper = supporters.get(person.supporter_id or 0)
        recipients.append(
            Recipient(
                id=str(person.code),
                kind=PersonKind(person.kind),
                date_of_birth=person.date_of_birth,
                consent=consent_for(
                    row,
                    sender,
                    facts.groups.get(pk, ()),
                    facts.workers.get(pk, ()),
                    facts.purposes.get(pk, ()),
                    facts.platforms.get(pk, ()),
                ),
                parents=tuple(str(c.code) for c in carers.get(person.pk, ())),
                reachable=reachable(person, channel),
                supporter=str(helper.code) if helper else None,
            )
        )
    return tuple(recipients)


def _supporters(to: Sequence[Person], channel: str) -> dict[int, Person]:
    """Named supporters reachable on ``channel`` (one query, only when any
    recipient named one): never a child, always the same organisation."""
    wanted = {p.supporter_id for p in to if p.supporter_id}
    if not wanted:
        return {}
    found = Person.objects.filter(pk__in=wanted).exclude(kind=Person.Kind.CHILD)
    org_ids = {p.organisation_id for p in to}
    return {
        s.pk: s for s in found if s.organisation_id in org_ids and reachable(s, channel)
    }


def _carers(to: Sequence[Person]) -> dict[int, list[Person]]:
    """Carers with parental responsibility, in register order
    (``people.selectors.carers_with_responsibility`` for many people)."""
    org_of = {p.pk: p.organisation_id for p in to}
    if not org_of:
        return {}
    rows = rawsql.fetch(
        f'SELECT r."person_id", {rawsql.columns(Person, "p")}'  # noqa: S608
        ' FROM "people_relationship" r'
        ' INNER JOIN "people_person" p ON p."id" = r."carer_id"'
        f' WHERE r."person_id" IN ({rawsql.placeholders(len(org_of))})'
        ' AND r."parental_responsibility" = %s'
        ' ORDER BY p."last_name", p."first_name", p."id"',
        [*org_of, True],
    )
    found: dict[int, list[Person]] = {}
    for row in rows:
        carer = rawsql.instance(Person, row, 1)
        if carer.organisation_id == org_of[row[0]]:
            found.setdefault(row[0], []).append(carer)
    return found


def newest_consents(ids: Sequence[int]) -> dict[int, ConsentRow]:
    """Each person's newest consent record, withdrawn or expired included
    (``people.selectors.latest_consent`` for many people)."""
    if not ids:
        return {}
    # Newest first, first row per person wins: a person's consent history
    # is a few rows.
    rows = rawsql.fetch(
        f'SELECT {rawsql.columns(ConsentRow, "c")} FROM "people_consent" c'  # noqa: S608
        f' WHERE c."subject_id" IN ({rawsql.placeholders(len(ids))})'
        ' ORDER BY c."subject_id", c."recorded_at" DESC, c."id" DESC',
        list(ids),
    )
    newest: dict[int, ConsentRow] = {}
    for row in rows:
        consent = rawsql.instance(ConsentRow, row)
        newest.setdefault(consent.subject_id, consent)
    return newest


# Each many-to-many of a consent: its letter, link table, column and the
# table whose codes it points at.
_CONSENT_LINKS = (
    ("g", "people_consent_groups", "group_id", "groups_group"),
    ("w", "people_consent_allowed_workers", "person_id", "people_person"),
    ("p", "people_consent_purposes", "purpose_id", "groups_purpose"),
    ("f", "people_consent_platforms", "platform_id", "groups_platform"),
)


def _consent_codes(
    consent_ids: Sequence[int],
) -> tuple[Codes, Codes, Codes, Codes]:
    """Group, named-worker, purpose and platform codes of each consent, in
    one query."""
    found: dict[str, Codes] = {"g": {}, "w": {}, "p": {}, "f": {}}
    if not consent_ids:
        return found["g"], found["w"], found["p"], found["f"]
    among = rawsql.placeholders(len(consent_ids))
    sql = " UNION ALL ".join(
        f'SELECT \'{which}\', l."consent_id", t."code" FROM "{link}" l'  # noqa: S608
        f' INNER JOIN "{table}" t ON t."id" = l."{column}"'
        f' WHERE l."consent_id" IN ({among})'
        for which, link, column, table in _CONSENT_LINKS
    )
    for which, consent_id, code in rawsql.fetch(sql, list(consent_ids) * 4):
        found[which].setdefault(consent_id, []).append(
            str(rawsql.field_value(Group, "code", code))
        )
    return found["g"], found["w"], found["p"], found["f"]


def _newest_consents_and_codes(
    ids: Sequence[int],
) -> tuple[dict[int, ConsentRow], tuple[Codes, Codes, Codes, Codes]]:
    """``newest_consents(ids)`` and ``_consent_codes`` of those consents in
    one query: every consent of these people, and the codes of every one of
    their consents (a person's history is a few rows), kept for the newest."""
    found: dict[str, Codes] = {"g": {}, "w": {}, "p": {}, "f": {}}
    if not ids:
        return {}, (found["g"], found["w"], found["p"], found["f"])
    width = rawsql.width(ConsentRow)
    among = rawsql.placeholders(len(ids))
    theirs = f'SELECT c."id" FROM "people_consent" c WHERE c."subject_id" IN ({among})'  # noqa: S608
    pad = "NULL, " * width
    sql = " UNION ALL ".join(
        [
            f"SELECT 'c', {rawsql.columns(ConsentRow, 'c')}, NULL, NULL"  # noqa: S608
            f' FROM "people_consent" c WHERE c."subject_id" IN ({among})',
            *(
                f'SELECT \'{which}\', {pad}l."consent_id", t."code" FROM "{link}" l'  # noqa: S608
                f' INNER JOIN "{table}" t ON t."id" = l."{column}"'
                f' WHERE l."consent_id" IN ({theirs})'
                for which, link, column, table in _CONSENT_LINKS
            ),
        ]
    )
    rows = rawsql.fetch(sql, list(ids) * 5)
    # Newest first as ``newest_consents`` orders them: recorded_at, then id.
    newest: dict[int, ConsentRow] = {}
    for row in rows:
        if row[0] != "c":
            continue
        consent = rawsql.instance(ConsentRow, row, 1)
        best = newest.get(consent.subject_id)
        if best is None or (consent.recorded_at, consent.pk) > (
            best.recorded_at,
            best.pk,
        ):
            newest[consent.subject_id] = consent
    kept = {c.pk for c in newest.values()}
    for row in rows:
        which, consent_id, code = row[0], row[1 + width], row[2 + width]
        if which != "c" and consent_id in kept:
            found[which].setdefault(consent_id, []).append(
                str(rawsql.field_value(Group, "code", code))
            )
    return newest, (found["g"], found["w"], found["p"], found["f"])


def group_info(group: Group, today: dt.date) -> GroupInfo:
    """The group as the engine sees it, with who in it is not cleared."""
    # Clearance of every worker in the group in 3 queries, not 2 per worker.
    current = (
        group.members.filter(removed_at__isnull=True)
        .select_related("person__worker", "person__organisation")
        .prefetch_related("person__vetting_checks", "person__training")
    )
    members = [m.person for m in current]
    uncleared = [str(p) for p in members if p.kind in ADULT_MEMBER_KINDS]
    ex_workers = []
    for person in members:
        if register.worker_profile(person) is None:
            continue
        clear = register.worker_clearance(person, today)
        if not clear.active:
            ex_workers.append(str(person))
        elif not clear.children:
            uncleared.append(str(person))
    return GroupInfo(
        id=str(group.code),
        purposes=frozenset(
            str(code) for code in group.purposes.values_list("code", flat=True)
        ),
        audience=Audience(group.audience),
        has_uncleared_adult=bool(uncleared),
        has_ex_worker=bool(ex_workers),
        uncleared_names=tuple(uncleared),
        ex_worker_names=tuple(ex_workers),
        platform=policy_platform(group.platform),
        hours=hours_of(group.hours),
        age_min=group.age_min,
        age_max=group.age_max,
        personal_account=group.account == Group.Account.PERSONAL,
    )


def group_recipients(group: Group, sender: Person | None) -> list[Person]:
    """Everyone currently in the group, except the sender."""
    return [
        m.person
        for m in group.members.filter(removed_at__isnull=True)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person__id")
        if sender is None or m.person_id != sender.pk
    ]


def second_adults(
    organisation: Organisation, channel: str, today: dt.date, people: dict[str, Person]
) -> tuple[str, ...]:
    """Cleared workers who can be copied in; the Lead and deputies first."""
    found: list[Person] = []
    workers = register.active_workers(organisation, today).prefetch_related(
        Prefetch("user", queryset=User.objects.all())
    )
    for person in workers:
        if not reachable(person, channel):
            continue
        if register.worker_clearance(person, today).children:
            found.append(person)
    found.sort(key=lambda p: (not _is_lead(p), p.last_name, p.first_name, p.pk))
    people.update({str(p.code): p for p in found})
    return tuple(str(p.code) for p in found)


def _is_lead(person: Person) -> bool:
    return person.user is not None and person.user.is_lead


def needs_second_adult(
    recipients: Sequence[Recipient], org: Organisation, today: dt.date
) -> bool:
    """Only look for second adults when a child has nobody else to copy."""
    children = [
        r for r in recipients if policy.effective_kind(r, today) is PersonKind.CHILD
    ]
    if org.copy_policy == Organisation.CopyPolicy.SECOND_ADULT:
        return bool(children)
    return any(not r.parents for r in children)


def supervisors(
    recipients: Sequence[Recipient],
    organisation: Organisation,
    channel: str,
    today: dt.date,
    people: dict[str, Person],
) -> tuple[str, ...]:
    """Named supervisors who can be copied into one-to-one contact with an
    adult at risk: active, cleared for adults and reachable on ``channel``.
    Read (two queries) only when an adult at risk is on the message."""
    if not any(
        policy.effective_kind(r, today) is PersonKind.ADULT_AT_RISK for r in recipients
    ):
        return ()
    named = register.active_workers(organisation, today).filter(
        worker__named_supervisor=True
    )
    found = [
        p
        for p in named.order_by("last_name", "first_name", "pk")
        if reachable(p, channel) and register.worker_clearance(p, today).adults
    ]
    people.update({str(p.code): p for p in found})
    return tuple(str(p.code) for p in found)


def org_rules(
    organisation: Organisation,
    seconds: tuple[str, ...] = (),
    named_supervisors: tuple[str, ...] = (),
) -> OrgRules:
    return OrgRules(
        timezone=organisation.timezone,
        copy_policy=CopyPolicy(organisation.copy_policy),
        outside_hours=OutsideHours(organisation.outside_hours),
        content_hold_threshold=Severity(organisation.content_hold_threshold),
        second_adults=seconds,
        supervisors=named_supervisors,
        # For a consent that agrees no hours of its own.
        default_hours=hours_of(organisation.default_hours),
    )


def findings_json(findings: Iterable[Finding], field: str) -> list[dict[str, Any]]:
    return [
        {
            "field": field,
            "indicator": f.indicator,
            "severity": int(f.severity),
            "severity_label": f.severity.label,
            "start": f.start,
            "end": f.end,
            "evidence": f.evidence,
            "explanation": f.explanation,
            "next_step": f.next_step,
        }
        for f in findings
    ]


@dataclass(frozen=True, slots=True)
class Built:
    """A message as the engine sees it, with what the caller records."""

    request: policy.MessageRequest
    rules: OrgRules
    to: list[Person]
    # Everyone the decision may name: the recipients and whoever is copied.
    people: dict[str, Person]
    seconds: tuple[str, ...]
    sender_person: Person | None


def message_request(
    *,
    actor: User,
    org: Organisation,
    to: Sequence[Person],
    group: Group | None,
    channel: str,
    purpose: PurposeRow | None,
    now: dt.datetime,
    urgent_reason: str = "",
    findings: tuple[Finding, ...] = (),
    read: Read | None = None,
) -> Built:
    """The one way a message (new, or about to leave) becomes engine input.

    ``to`` empty with a group means everyone in the group but the sender.
    ``read`` is ``read_for(actor, to)`` when the caller has read it already.
    """
    today = policy.local_day(now, org.timezone)
    if read is not None and (read.actor != actor or read.to != tuple(to)):
        raise ValueError("read_for() was given another sender or recipients")
    sender, sender_person = sender_for(
        actor, today, channel, read.sender if read else UNREAD
    )
    to = list(to) or (group_recipients(group, sender_person) if group else [])
    people = {str(p.code): p for p in to}
    recs = recipients_for(
        to, sender, channel, people, read.facts if read and read.to else None
    )
    seconds: tuple[str, ...] = ()
    if needs_second_adult(recs, org, today):
        seconds = second_adults(org, channel, today, people)
    named = supervisors(recs, org, channel, today, people)
    request = policy.MessageRequest(
        sender=sender,
        recipients=recs,
        channel=Channel(channel),
        purpose=purpose_of(purpose),
        now=now,
        group=group_info(group, today) if group else None,
        urgent=bool(urgent_reason.strip()),
        urgent_reason=urgent_reason.strip(),
        content_findings=findings,
    )
    rules = org_rules(org, seconds, named)
    return Built(request, rules, to, people, seconds, sender_person)
