"""Reads of the register that other apps and pages share.

Consent and clearance are worked out here from model rows; the rules
themselves live in the pure ``safeguarding.policy`` core.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.urls import reverse

from safecontact.audits.selectors import attention_findings
from safecontact.groups.models import GroupMember
from safecontact.people.models import (
    Consent,
    Person,
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
    add_years,
    clearance,
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
    checks = list(person.vetting_checks.all())
    checks.sort(key=lambda c: (c.certificate_date, c.recorded_at), reverse=True)
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


def _when(due: datetime.date, day: datetime.date) -> str:
    if due < day:
        return f"expired on {due:%d %B %Y}"
    if due == day:
        return "is due today"
    return f"is due on {due:%d %B %Y} ({(due - day).days} days)"


def _vetting_due(person: Person, years: int) -> tuple[datetime.date | None, str]:
    check = newest_vetting(person)
    if check is None:
        return None, "No DBS check is recorded."
    if check.update_service:
        return None, ""
    # A date set on the check itself overrides the organisation's period
    # (as ``clearance`` in the policy core does).
    if check.renewal_due is not None:
        return check.renewal_due, ""
    return add_years(check.certificate_date, years), ""


def _worker_items(organisation: Any, day: datetime.date) -> list[AttentionItem]:
    items = []
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    years = organisation.vetting_renewal_years
    for person in active_workers(organisation, day):
        due, missing = _vetting_due(person, years)
        if missing:
            vetting_url = reverse("people:vetting", args=[person.code])
            items.append(
                AttentionItem(
                    "vetting", person, missing, "Record a DBS check", vetting_url
                )
            )
        elif due is not None and due <= soon:
            vetting_url = reverse("people:vetting", args=[person.code])
            items.append(
                AttentionItem(
                    "vetting",
                    person,
                    f"DBS check {_when(due, day)}.",
                    "Record the renewed DBS check",
                    vetting_url,
                    due=due,
                )
            )
        items.extend(_training_item(person, day, soon))
    return items


def _training_item(
    person: Person, day: datetime.date, soon: datetime.date
) -> list[AttentionItem]:
    course = best_training(person)
    if course is not None and course.expires_on > soon:
        return []
    url = reverse("people:training", args=[person.code])
    if course is None:
        return [
            AttentionItem(
                "training",
                person,
                "No safeguarding training is recorded.",
                "Record training",
                url,
            )
        ]
    if course.expires_on <= soon:
        message = f"Safeguarding training {_when(course.expires_on, day)}."
        return [
            AttentionItem(
                "training",
                person,
                message,
                "Record renewed training",
                url,
                due=course.expires_on,
            )
        ]
    return []


def _memberships(organisation: Any) -> list[Any]:
    members = list(
        GroupMember.objects.filter(
            group__organisation=organisation, group__archived_at=None, removed_at=None
        )
        .select_related(
            "person",
            "person__worker",
            "group",
            "group__platform",
            "group__organisation",
        )
        .prefetch_related("group__purposes")
        .order_by("group__name", "person__last_name", "person__first_name")
    )
    # Checks and training matter only for adults in children's groups: load
    # those (2 queries) rather than for every child in every group.
    # A year's margin on age: the organisation's day may differ from the
    # server's, and anyone not loaded here is still read (one query) if needed.
    today = datetime.date.today()  # noqa: DTZ011
    adults = [
        m.person
        for m in members
        if m.group.for_children
        and (
            m.person.kind != Person.Kind.CHILD
            or (m.person.age(today) or 0) >= ADULT_AGE - 1
        )
    ]
    prefetch_related_objects(adults, "vetting_checks", "training")
    return members


def latest_consents(organisation: Any) -> dict[int, Consent]:
    """person id -> the consent record in force or last recorded (3 queries).

    Each record carries ``covered_groups``: the group ids it names (none means
    every group), and ``allowed_purposes``: the purpose ids it allows. Filtered by organisation, not by a list of people, so the
    query does not grow with the register.
    """
    latest: dict[int, Consent] = {}
    rows = (
        Consent.objects.filter(organisation=organisation)
        .only(
            "id",
            "subject_id",
            "kind",
            "status",
            "evidence_date",
            "expires_on",
            "recorded_at",
        )
        .order_by("subject_id", "-recorded_at", "-id")
    )
    for consent in rows:
        latest.setdefault(consent.subject_id, consent)
    groups: dict[int, set[int]] = {}
    through = Consent.groups.through.objects.filter(consent__organisation=organisation)
    for consent_id, group_id in through.values_list("consent_id", "group_id"):
        groups.setdefault(consent_id, set()).add(group_id)
    purposes: dict[int, set[int]] = {}
    allowed = Consent.purposes.through.objects.filter(
        consent__organisation=organisation
    )
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


def _consent_item(
    member: Any, consent: Consent | None, day: datetime.date
) -> AttentionItem | None:
    person, group = member.person, member.group
    state = consent_state(consent, day)
    if state is ConsentState.CURRENT:
        if not consent_covers(consent, group.pk, day):
            message = f"Consent does not cover {group}."
        elif consent and not _shares_a_purpose(consent, group):
            message = f"Consent allows none of the purposes of {group}."
        else:
            return None
    else:
        message = f"Consent is {state.label} and they are in {group}."
    url = reverse("people:consent", args=[person.code])  # only for a listed item
    return AttentionItem("consent", person, message, "Record consent", url, group=group)


def _shares_a_purpose(consent: Consent, group: Any) -> bool:
    allowed = getattr(consent, "allowed_purposes", None)
    if allowed is None:
        allowed = {p.pk for p in consent.purposes.all()}
    return any(p.pk in allowed for p in group.purposes.all())


def _member_items(
    member: Any, day: datetime.date, consents: dict[int, Consent]
) -> list[AttentionItem]:
    person = member.person
    age = person.age(day)
    found = [
        _consent_item(member, consents.get(person.pk), day)
        if needs_consent(person.kind, age)
        else None,
        _ex_worker_item(member, day) or _unchecked_adult_item(member, age, day),
        _under_age_item(member, age),
    ]
    return [item for item in found if item is not None]


def _member_url(member: Any) -> str:
    return reverse("groups:detail", args=[member.group.code]) + f"#member-{member.code}"


def _ex_worker_item(member: Any, day: datetime.date) -> AttentionItem | None:
    profile = worker_profile(member.person)
    if profile is None or profile.end_date is None or profile.end_date >= day:
        return None
    return AttentionItem(
        "ex_worker",
        member.person,
        f"Left on {profile.end_date:%d %B %Y} but is still in {member.group}.",
        f"Remove from {member.group}",
        _member_url(member),
        group=member.group,
    )


def _unchecked_adult_item(
    member: Any, age: int | None, day: datetime.date
) -> AttentionItem | None:
    person, group = member.person, member.group
    if not group.for_children or not _is_adult_in_childrens_group(person, age):
        return None
    # The renewal period comes from the group, already loaded: no query per adult.
    years = group.organisation.vetting_renewal_years
    if worker_clearance(person, day, years).children:
        return None
    return AttentionItem(
        "unchecked_adult",
        person,
        f"An adult without a current DBS check in {group}, a children's group.",
        "Record a DBS check, or remove them from the group",
        reverse("people:vetting", args=[person.code]),
        group=group,
    )


def _under_age_item(member: Any, age: int | None) -> AttentionItem | None:
    person, group = member.person, member.group
    minimum = group.platform.minimum_age
    if not minimum:
        return None
    if age is None and person.kind == Person.Kind.CHILD:
        return AttentionItem(
            "under_age",
            person,
            f"No date of birth, so nobody can tell if they are old enough for "
            f"{group.platform} ({minimum}+).",
            "Add their date of birth",
            reverse("people:edit", args=[person.code]),
            group=group,
        )
    if age is None or age >= minimum:
        return None
    return AttentionItem(
        "under_age",
        person,
        f"Aged {age}, under {group.platform}'s minimum age of {minimum}, in {group}.",
        f"Remove from {group} or move the group to another platform",
        _member_url(member),
        group=group,
    )


def _is_adult_in_childrens_group(person: Person, age: int | None) -> bool:
    if person.kind == Person.Kind.CHILD:
        return age is not None and age >= ADULT_AGE  # turned 18: adult rules now apply
    return person.kind != Person.Kind.ADULT_AT_RISK


def _platform_items(organisation: Any) -> list[AttentionItem]:
    from safecontact.groups.models import Group

    groups = Group.objects.filter(
        organisation=organisation, archived_at=None, platform__approved=False
    ).select_related("platform")
    return [
        AttentionItem(
            "platform",
            None,
            f"{g} uses {g.platform}, which is not approved.",
            "Review platforms",
            reverse("groups:platforms"),
            group=g,
        )
        for g in groups
    ]


def _personal_account_items(organisation: Any) -> list[AttentionItem]:
    from safecontact.groups.models import Group

    groups = Group.objects.filter(
        organisation=organisation, archived_at=None, account=Group.Account.PERSONAL
    )
    return [
        AttentionItem(
            "personal_account",
            None,
            f"{g} is run from a worker's personal account, so messages to it "
            "are blocked.",
            "Move it to an account the organisation holds",
            reverse("groups:edit", args=[g.code]),
            group=g,
        )
        for g in groups
    ]


def attention_items(organisation: Any, day: datetime.date) -> list[AttentionItem]:
    """Everything in the register that needs the Lead, each with its fix."""
    items = _worker_items(organisation, day)
    members = _memberships(organisation)
    consents = latest_consents(organisation)
    for member in members:
        items.extend(_member_items(member, day, consents))
    items.extend(_platform_items(organisation))
    items.extend(_personal_account_items(organisation))
    items.extend(_audit_items(organisation))
    return items


def _audit_items(organisation: Any) -> list[AttentionItem]:
    return [
        AttentionItem(
            category="group_audit",
            person=finding.person,
            message=f"{finding.get_kind_display()} in {finding.audit.group}.",
            fix_label="See the finding",
            fix_url=f"{finding.audit.get_absolute_url()}#finding-{finding.code}",
            group=finding.audit.group,
        )
        for finding in attention_findings(organisation)
    ]
