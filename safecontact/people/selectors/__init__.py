"""Reads of the register that other apps and pages share.

Consent and clearance are worked out here from model rows; the rules
themselves live in the pure ``safeguarding.policy`` core.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from safecontact.groups.models import GroupMember
from safecontact.people.models import (
    Consent,
    Person,
    PersonState,
    Training,
    VettingCheck,
    WorkerProfile,
)
from safeguarding.policy import (
    ADULT_AGE,
    Clearance,
    ConsentState,
    DbsLevel,
    WorkerFacts,
    Workforce,
    clearance,
    earliest_certificate,
)
from safeguarding.policy import consent_state as policy_consent_state

TRAINING_LEVELS = {
    Training.Level.FOUNDATION: 1,
    Training.Level.ADVANCED: 2,
    Training.Level.LEADERSHIP: 3,
}

WORKFORCES = {
    VettingCheck.Workforce.CHILDREN: frozenset({Workforce.CHILDREN}),
    VettingCheck.Workforce.ADULTS: frozenset({Workforce.ADULTS}),
    VettingCheck.Workforce.BOTH: frozenset(Workforce),
}


# --- Consent -------------------------------------------------------------------


def consent_history(person: Person) -> QuerySet[Consent]:
    """Every consent record for ``person``, newest (the one in force) first."""
    return (
        Consent.objects.filter(subject=person)
        .select_related("given_by", "recorded_by", "supersedes")
        .prefetch_related("groups", "allowed_workers", "purposes")
        .order_by("-recorded_at", "-id")
    )


def latest_consent(person: Person) -> Consent | None:
    """The newest record, withdrawn or expired ones included."""
    return consent_history(person).first()


def current_consent(person: Person, day: datetime.date) -> Consent | None:
    """The consent in force on ``day``: None if missing, withdrawn or expired."""
    latest = latest_consent(person)
    if latest is None or not latest.is_current(day):
        return None
    return latest


def consent_state(consent: Consent | None, day: datetime.date) -> ConsentState:
    """The state of ``person``'s newest record on ``day``, as the policy core
    defines it (``safeguarding.policy.consent_state``)."""
    if consent is None:
        return policy_consent_state(None, day)
    return consent.state(day)


# --- Relationships -------------------------------------------------------------


def carers_with_responsibility(person: Person) -> QuerySet[Person]:
    """Parents and carers of ``person`` who hold parental responsibility."""
    return Person.objects.filter(
        organisation_id=person.organisation_id,
        cares_for__person=person,
        cares_for__parental_responsibility=True,
    ).distinct()


# --- Workers -------------------------------------------------------------------


def newest_vetting(person: Person) -> VettingCheck | None:
    # .all() so a prefetch_related("vetting_checks") is used when present.
    # Ties broken by id, as newest_check() does in SQL.
    checks = list(person.vetting_checks.all())
    checks.sort(key=lambda c: (c.certificate_date, c.recorded_at, c.pk), reverse=True)
    return checks[0] if checks else None


def best_training(person: Person) -> Training | None:
    """The training record that lasts longest (the one that counts)."""
    records = list(person.training.all())
    records.sort(
        key=lambda t: (t.expires_on, TRAINING_LEVELS[Training.Level(t.level)]),
        reverse=True,
    )
    return records[0] if records else None


def worker_profile(person: Person) -> WorkerProfile | None:
    try:
        return person.worker
    except WorkerProfile.DoesNotExist:
        return None


def worker_facts(person: Person, renewal_years: int) -> WorkerFacts:
    """Adapt the register rows into the policy core's input."""
    profile = worker_profile(person)
    check = newest_vetting(person)
    course = best_training(person)
    return WorkerFacts(
        start_date=profile.start_date if profile else None,
        end_date=profile.end_date if profile else None,
        dbs_level=DbsLevel(check.level) if check else None,
        dbs_workforces=WORKFORCES[VettingCheck.Workforce(check.workforce)]
        if check
        else frozenset(Workforce),
        certificate_date=check.certificate_date if check else None,
        update_service=check.update_service if check else False,
        renewal_years=renewal_years,
        renewal_due=check.renewal_due if check else None,
        training_level=TRAINING_LEVELS[Training.Level(course.level)] if course else 0,
        training_expires_on=course.expires_on if course else None,
    )


def worker_clearance(
    person: Person, day: datetime.date, renewal_years: int | None = None
) -> Clearance:
    """Is ``person`` cleared to contact children / adults at risk on ``day``.

    ``renewal_years`` defaults to the organisation's DBS recheck period.
    """
    if renewal_years is None:
        renewal_years = person.organisation.vetting_renewal_years
    return clearance(worker_facts(person, renewal_years), day)


# --- Clearance in SQL ------------------------------------------------------------
# The same rule as worker_clearance (the core's ``clearance``), as conditions a
# database checks, for lists that must not build every worker. ``ref`` names
# the person's id in the outer query ("pk" on Person, "person_id" on a
# membership). A test compares
# these with worker_clearance on a randomised register.

ENHANCED_LEVELS = [
    level
    for level in VettingCheck.Level
    if DbsLevel(level).rank >= DbsLevel.ENHANCED.rank
]
TRAINED_LEVELS = [level for level, rank in TRAINING_LEVELS.items() if rank >= 1]


def newest_check(ref: str = "pk") -> QuerySet[VettingCheck]:
    """The person's newest DBS check, as ``newest_vetting`` picks it, for
    Exists(): the one their state row points to (``people.state``)."""
    return VettingCheck.objects.filter(newest_for__person_id=OuterRef(ref))


def active_q(day: datetime.date, prefix: str = "") -> Q:
    """A worker whose role has started and not ended on ``day``."""
    return Q(**{f"{prefix}worker__start_date__lte": day}) & (
        Q(**{f"{prefix}worker__end_date__isnull": True})
        | Q(**{f"{prefix}worker__end_date__gte": day})
    )


def cleared_q(
    day: datetime.date, years: int, workforce: Workforce, *, ref: str = "pk"
) -> Q:
    """Cleared on ``day`` to contact ``workforce`` (children or adults at risk).

    Only EXISTS conditions, so it can be negated and used in a conditional
    count without SQL's NULLs from an outer join changing the answer.
    """
    active = WorkerProfile.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        person=OuterRef(ref),
        start_date__lte=day,
    )
    in_date = (
        Q(update_service=True)
        | Q(renewal_due__gte=day)
        | Q(
            renewal_due__isnull=True,
            certificate_date__gte=earliest_certificate(day, years),
        )
    )
    vetted = newest_check(ref).filter(
        in_date,
        level__in=ENHANCED_LEVELS,
        certificate_date__lte=day,
        workforce__in=[k for k, v in WORKFORCES.items() if workforce in v],
    )
    # Every level counts (TRAINED_LEVELS), so the state row's date the
    # longest course lasts until says it: one probe, not a scan of courses.
    trained = PersonState.objects.filter(
        person_id=OuterRef(ref), training_until__gte=day
    )
    return Q(Exists(active)) & Q(Exists(vetted)) & Q(Exists(trained))


def cleared_for_either_q(day: datetime.date, years: int) -> Q:
    """Cleared for children or for adults at risk: the register's "cleared",
    for a query on people (negated, "not cleared").

    ``cleared_q`` for either workforce, written as conditions on the joined
    worker profile, state row and the newest DBS check it points to (each
    single-valued), not as EXISTS: the two workforces differ only in the
    check's workforce, and every workforce a check can name counts for one
    of them. PostgreSQL answered a page of the EXISTS form by hashing the
    whole database's checks and state rows (130 ms at full scale); joined,
    it walks the organisation's people in order (1 ms).
    """
    check = "state__vetting__"
    in_date = (
        Q(**{f"{check}update_service": True})
        | Q(**{f"{check}renewal_due__gte": day})
        | Q(
            **{
                f"{check}renewal_due__isnull": True,
                f"{check}certificate_date__gte": earliest_certificate(day, years),
            }
        )
    )
    return (
        active_q(day)
        # Every level counts (TRAINED_LEVELS): the latest expiry says it.
        & Q(state__training_until__gte=day)
        & Q(
            **{
                f"{check}level__in": ENHANCED_LEVELS,
                f"{check}certificate_date__lte": day,
                f"{check}workforce__in": [
                    k for k, v in WORKFORCES.items() if v & set(Workforce)
                ],
            }
        )
        & in_date
    )


def workers(organisation: Any) -> QuerySet[Person]:
    """Everyone with a worker profile, with what clearance needs prefetched."""
    return (
        Person.objects.filter(organisation=organisation, worker__isnull=False)
        .select_related("worker", "organisation", "user")
        .prefetch_related("vetting_checks", "training")
    )


def active_workers(organisation: Any, day: datetime.date) -> QuerySet[Person]:
    """Workers whose role has started and not ended on ``day``."""
    return workers(organisation).filter(
        Q(worker__end_date__isnull=True) | Q(worker__end_date__gte=day),
        worker__start_date__lte=day,
    )


# --- Who may see whom ------------------------------------------------------------


def person_for_user(user: Any) -> Person | None:
    """The register record a login is linked to, if any."""
    return Person.objects.filter(user=user).first()


def visible_people(user: Any) -> QuerySet[Person]:
    """People ``user`` may see listed: everyone for oversight roles; for a
    worker, themselves and the people in groups they currently belong to."""
    people = Person.objects.filter(organisation_id=user.organisation_id)
    if user.is_oversight:
        return people
    own_groups = GroupMember.objects.filter(person__user=user, removed_at=None).values(
        "group_id"
    )
    return people.filter(
        Q(user=user)
        | Q(memberships__group_id__in=own_groups, memberships__removed_at=None)
    ).distinct()


def can_see_evidence(user: Any) -> bool:
    """Vetting, consent evidence and contact points: oversight roles only."""
    return bool(user.is_oversight)


# --- Consent across the register ----------------------------------------------


def latest_consents(
    organisation: Any, people: Sequence[int] | None = None
) -> dict[int, Consent]:
    """person id -> the consent record in force or last recorded (3 queries).

    Each record carries ``covered_groups``: the group ids it names (none means
    every group), and ``allowed_purposes``: the purpose ids it allows. For the
    whole organisation, or only for the ``people`` given (a page of them).
    """
    latest: dict[int, Consent] = {}
    consents = Consent.objects.filter(organisation=organisation)
    if people is not None:
        # By person alone, so the database reads their newest consents by the
        # index on the subject, not all the organisation's (checked below).
        consents = Consent.objects.filter(subject_id__in=list(people))
    rows = consents.only(
        "id",
        "organisation_id",
        "subject_id",
        "kind",
        "status",
        "evidence_date",
        "expires_on",
        "recorded_at",
    ).order_by("subject_id", "-recorded_at", "-id")
    for consent in rows:
        if consent.organisation_id == organisation.pk:
            latest.setdefault(consent.subject_id, consent)
    # By organisation for the whole register: a list of ids would grow with it.
    which = (
        {"consent__organisation": organisation}
        if people is None
        else {"consent_id__in": [c.pk for c in latest.values()]}
    )
    groups: dict[int, set[int]] = {}
    through = Consent.groups.through.objects.filter(**which)
    for consent_id, group_id in through.values_list("consent_id", "group_id"):
        groups.setdefault(consent_id, set()).add(group_id)
    purposes: dict[int, set[int]] = {}
    allowed = Consent.purposes.through.objects.filter(**which)
    for consent_id, purpose_id in allowed.values_list("consent_id", "purpose_id"):
        purposes.setdefault(consent_id, set()).add(purpose_id)
    for consent in latest.values():
        consent.covered_groups = groups.get(consent.pk, set())  # type: ignore[attr-defined]
        consent.allowed_purposes = purposes.get(consent.pk, set())  # type: ignore[attr-defined]
    return latest


def consent_covers(consent: Consent | None, group_id: int, day: datetime.date) -> bool:
    """Consent is current and names this group (or names no group at all)."""
    if consent_state(consent, day) != "current":
        return False
    covered = getattr(consent, "covered_groups", None)
    if covered is None:
        covered = {g.pk for g in consent.groups.all()} if consent else set()
    return not covered or group_id in covered


def needs_consent(kind: str, age: int | None) -> bool:
    """Children under 18 and adults at risk are contacted only with consent."""
    return kind == Person.Kind.ADULT_AT_RISK or (
        kind == Person.Kind.CHILD and (age is None or age < ADULT_AGE)
    )


# --- The attention list ----------------------------------------------------------

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class AttentionItem:
    """One thing the Lead should put right, with the link that does it."""

    category: str
    person: Person | None
    message: str
    fix_label: str
    fix_url: str
    group: Any = None
    due: datetime.date | None = None
    # The fix is one click (a button that posts), not a form to fill in.
    fix_post: bool = False


CATEGORIES = {
    "vetting": "DBS checks expired or due",
    "training": "Training expired or due",
    "consent": "Consent missing, expired or withdrawn",
    "ex_worker": "People who have left still in groups",
    "unchecked_adult": "Adults without a current check in children's groups",
    "under_age": "Under a platform's minimum age",
    "platform": "Groups on platforms not approved",
    "personal_account": "Groups run from a personal account",
    "policy_review": "Policies due for review",
    "policy_acknowledgement": "Policies not yet acknowledged",
    "risk_assessment": "Risk assessments to review",
    "group_audit": "Found in audits of group chats",
    "consent_renewal": "Consent ending soon",
}
