"""Every write to the register goes through here, with an audit entry.

Only the Safeguarding Lead and deputy change the register; trustees read it,
workers read only what their work needs. Consent is append-only: a change or a
withdrawal is a new record that supersedes the one in force.
"""

from __future__ import annotations

import datetime
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import record_change, save_and_record, snapshot
from safecontact.lib.access import require_lead
from safecontact.lib.dates import org_today
from safecontact.lib.hours import validate_hours
from safecontact.people import state
from safecontact.people.memberships import remove_leaver, restore_leaver
from safecontact.people.models import (
    Consent,
    Person,
    Relationship,
    Training,
    VettingCheck,
    WorkerProfile,
)
from safecontact.people.selectors import latest_consent, worker_profile
from safeguarding.policy.clearance import add_years

PERSON_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "kind",
        "date_of_birth",
        "email",
        "phone",
        "accessibility_needs",
        "preferred_channel",
        "large_print",
        "plain_text_email",
        "supporter",
        "external_ref",
    }
)
WORKER_FIELDS = frozenset(
    {
        "employment",
        "role_title",
        "works_with",
        "start_date",
        "end_date",
        "named_supervisor",
    }
)


def _check_fields(given: Iterable[str], allowed: frozenset[str]) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise TypeError(f"Cannot change: {', '.join(sorted(unknown))}")


# --- People ----------------------------------------------------------------------


@transaction.atomic
def create_person(*, actor: User, organisation: Organisation, **fields: Any) -> Person:
    """Add somebody to the register; ``fields`` are Person fields."""
    require_lead(actor, organisation)
    _check_fields(fields, PERSON_FIELDS)
    person = Person(organisation=organisation, **fields)
    _check_supporter(person, fields.get("supporter"))
    person.full_clean()
    save_and_record(actor=actor, organisation=organisation, obj=person, before=None)
    return person


@transaction.atomic
def update_person(*, actor: User, person: Person, **fields: Any) -> Person:
    require_lead(actor, person.organisation_id)
    _check_fields(fields, PERSON_FIELDS)
    becomes_child = fields.get("kind") == Person.Kind.CHILD
    if becomes_child and WorkerProfile.objects.filter(person=person).exists():
        raise ValidationError({"kind": "A worker cannot be recorded as a child."})
    _check_supporter(person, fields.get("supporter", person.supporter))
    before = snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=person, before=before
    )
    return person


def _check_supporter(person: Person, supporter: Person | None) -> None:
    """A supporter is another adult in the same organisation."""
    if supporter is None:
        return
    if supporter.organisation_id != person.organisation_id:
        raise PermissionDenied("The supporter must be in your organisation.")
    if supporter.kind == Person.Kind.CHILD:
        raise ValidationError({"supporter": "A supporter must be an adult."})
    if person.pk is not None and supporter.pk == person.pk:
        raise ValidationError({"supporter": "Choose someone other than the person."})


def supporter_choices(person: Person) -> list[Person]:
    """Whom an adult may name as their supporter on their own page: the
    carers recorded for them, and whoever is named now."""
    found = list(
        Person.objects.filter(cares_for__person=person)
        .exclude(kind=Person.Kind.CHILD)
        .order_by("first_name", "pk")
    )
    if person.supporter is not None and person.supporter not in found:
        found.append(person.supporter)
    return found


@transaction.atomic
def set_own_preferences(
    *,
    by: Person,
    link_code: Any,
    large_print: bool,
    plain_text_email: bool,
    preferred_channel: str,
    supporter: Person | None,
) -> Person:
    """An adult at risk sets their own accessibility preferences through their
    family link (``link_code``); the audit trail names them."""
    if by.kind != Person.Kind.ADULT_AT_RISK:
        raise PermissionDenied("Only an adult at risk sets their own preferences.")
    if supporter is not None and supporter not in supporter_choices(by):
        raise PermissionDenied("Choose one of the people recorded as your carers.")
    if preferred_channel not in Person.Channel.values:
        raise ValidationError({"preferred_channel": "Choose a way we know."})
    before = snapshot(by)
    by.large_print, by.plain_text_email = large_print, plain_text_email
    by.preferred_channel, by.supporter = preferred_channel, supporter
    save_and_record(
        actor=OnlineActor(by),
        organisation=by.organisation,
        obj=by,
        before=before,
        extra={"link": str(link_code)},
        update_fields=[
            "large_print",
            "plain_text_email",
            "preferred_channel",
            "supporter",
            "updated_at",
        ],
    )
    return by


@transaction.atomic
def link_login(*, actor: User, person: Person, user: User | None) -> Person:
    """Link (or, with None, unlink) the login a person uses."""
    require_lead(actor, person.organisation_id)
    if user is not None and user.organisation_id != person.organisation_id:
        raise PermissionDenied("The login must be in your organisation.")
    before = snapshot(person)
    person.user = user
    person.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=person, before=before
    )
    return person


# --- Workers ---------------------------------------------------------------------


@transaction.atomic
def set_worker_profile(*, actor: User, person: Person, **fields: Any) -> WorkerProfile:
    """Create or change the worker record (employment, role, start and end).

    An end date on or before the organisation's today is a leaving: their
    login is switched off and they are taken out of their groups at once.
    """
    require_lead(actor, person.organisation_id)
    _check_fields(fields, WORKER_FIELDS)
    if person.kind == Person.Kind.CHILD:
        raise ValidationError("A child cannot be recorded as a worker.")
    try:
        profile = person.worker
    except WorkerProfile.DoesNotExist:
        profile, before = WorkerProfile(person=person, **fields), None
    else:
        before = snapshot(profile)
        for name, value in fields.items():
            setattr(profile, name, value)
    profile.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=profile, before=before
    )
    if _has_left(profile, org_today(person.organisation)):
        _apply_leaving(actor, person)
    return profile


@transaction.atomic
def end_worker_role(
    *, actor: User, person: Person, end_date: datetime.date
) -> WorkerProfile:
    """Record that a worker has left; they stay in the register as history.

    With an end date on or before today (the organisation's) leaving takes
    effect at once; a later one is applied by ``apply_leavers`` once passed.
    """
    require_lead(actor, person.organisation_id)
    try:
        profile = person.worker
    except WorkerProfile.DoesNotExist:
        raise ValidationError(f"{person} is not recorded as a worker.") from None
    if end_date < profile.start_date:
        raise ValidationError(
            {"end_date": "The end date must not be before the start date."}
        )
    before = snapshot(profile)
    profile.end_date = end_date
    profile.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=profile, before=before
    )
    if _has_left(profile, org_today(person.organisation)):
        _apply_leaving(actor, person)
    return profile


def _has_left(profile: WorkerProfile, today: datetime.date) -> bool:
    return profile.end_date is not None and profile.end_date <= today


@dataclass(frozen=True)
class Leaving:
    """What leaving took away from one worker."""

    person: Person
    memberships: list[Any]
    login_switched_off: bool


def _apply_leaving(actor: User | None, person: Person) -> Leaving:
    """Take a leaver out of every group and switch off their login (audited)."""
    removed = remove_leaver(actor=actor, person=person)
    return Leaving(person, removed, _switch_login(actor, person, on=False))


def _switch_login(actor: User | None, person: Person, *, on: bool) -> bool:
    """Switch ``person``'s login on or off (audited); False if unchanged."""
    user = person.user
    if user is None or user.is_active == on:
        return False
    before = snapshot(user, exclude={"password"})
    user.is_active = on
    save_and_record(
        actor=actor,
        organisation=person.organisation,
        obj=user,
        before=before,
        exclude={"password"},
        update_fields=["is_active"],
    )
    return True


def leavers_due(
    organisation: Organisation, today: datetime.date
) -> list[tuple[Person, int, bool]]:
    """Workers whose end date has passed but who are still in a group or can
    still log in: each with how many groups and whether a login is on."""
    people = (
        Person.objects.filter(organisation=organisation, worker__end_date__lt=today)
        .select_related("user", "worker")
        .annotate(groups=Count("memberships", filter=Q(memberships__removed_at=None)))
        .order_by("last_name", "first_name", "pk")
    )
    due: list[tuple[Person, int, bool]] = []
    for person in people:
        login_on = person.user is not None and person.user.is_active
        if person.groups or login_on:  # type: ignore[attr-defined]
            due.append((person, person.groups, login_on))  # type: ignore[attr-defined]
    return due


@transaction.atomic
def apply_leavers(
    *, organisation: Organisation, commit: bool = False
) -> list[tuple[Person, int, bool]]:
    """Apply leaving to every worker whose end date has passed (for a job).

    Idempotent: a leaver already out of their groups with their login off
    is not listed again. Without ``commit`` nothing changes (a dry run).
    """
    due = leavers_due(organisation, org_today(organisation))
    if commit:
        for person, _, _ in due:
            _apply_leaving(None, person)
    return due


@dataclass(frozen=True)
class Reinstated:
    profile: WorkerProfile
    restored: list[Any]
    refused: list[tuple[Any, Any]]  # (membership, the engine's decision)
    login_switched_on: bool


@transaction.atomic
def reinstate_worker(*, actor: User, person: Person) -> Reinstated:
    """Undo a leaving: clear the end date, switch the login back on and put
    them back in the groups leaving took them out of (each re-checked)."""
    require_lead(actor, person.organisation_id)
    profile = worker_profile(person)
    if profile is None or profile.end_date is None:
        raise ValidationError(f"{person} has not left, so there is nothing to undo.")
    before = snapshot(profile)
    profile.end_date = None
    profile.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=profile, before=before
    )
    switched_on = _switch_login(actor, person, on=True)
    back = restore_leaver(actor=actor, person=person)
    return Reinstated(profile, back.restored, back.refused, switched_on)


@transaction.atomic
def record_vetting_check(
    *,
    actor: User,
    person: Person,
    level: str,
    certificate_date: datetime.date,
    workforce: str = VettingCheck.Workforce.BOTH,
    certificate_number: str = "",
    update_service: bool = False,
    renewal_due: datetime.date | None = None,
    today: datetime.date | None = None,
) -> VettingCheck:
    """Add a DBS check; the newest check is the one that counts."""
    require_lead(actor, person.organisation_id)
    if today is not None and certificate_date > today:
        raise ValidationError(
            {"certificate_date": "The certificate date cannot be in the future."}
        )
    check = VettingCheck(
        person=person,
        level=level,
        workforce=workforce,
        certificate_date=certificate_date,
        certificate_number=certificate_number.strip(),
        update_service=update_service,
        renewal_due=renewal_due,
        recorded_by=actor,
    )
    check.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=check, before=None
    )
    state.refresh([person.pk])
    return check


@transaction.atomic
def record_training(
    *,
    actor: User,
    person: Person,
    level: str,
    completed_on: datetime.date,
    expires_on: datetime.date | None = None,
    provider: str = "",
) -> Training:
    """Record training; without ``expires_on`` it lasts the organisation's
    training renewal period from ``completed_on``."""
    require_lead(actor, person.organisation_id)
    if expires_on is None:
        years = person.organisation.training_renewal_years
        expires_on = add_years(completed_on, years)
    if expires_on <= completed_on:
        raise ValidationError(
            {"expires_on": "The expiry date must be after the date it was completed."}
        )
    training = Training(
        person=person,
        level=level,
        completed_on=completed_on,
        expires_on=expires_on,
        provider=provider,
    )
    training.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=training, before=None
    )
    state.refresh([person.pk])
    return training


# --- Relationships ---------------------------------------------------------------


@transaction.atomic
def add_relationship(
    *,
    actor: User,
    carer: Person,
    person: Person,
    relationship: str = "parent",
    parental_responsibility: bool = True,
) -> Relationship:
    """Record that ``carer`` is a parent or carer of ``person``."""
    require_lead(actor, person.organisation_id)
    if carer.organisation_id != person.organisation_id:
        raise PermissionDenied("Both people must be in your organisation.")
    if carer.pk == person.pk:
        raise ValidationError("Somebody cannot be their own parent or carer.")
    if carer.kind == Person.Kind.CHILD:
        raise ValidationError("A child cannot be recorded as a parent or carer.")
    if Relationship.objects.filter(carer=carer, person=person).exists():
        raise ValidationError(f"{carer} is already recorded as a carer of {person}.")
    link = Relationship(
        carer=carer,
        person=person,
        relationship=relationship or "parent",
        parental_responsibility=parental_responsibility,
    )
    link.full_clean()
    save_and_record(
        actor=actor, organisation=person.organisation, obj=link, before=None
    )
    return link


# --- Consent ---------------------------------------------------------------------


def _consent_kind(subject: Person) -> str:
    if subject.kind == Person.Kind.CHILD:
        return Consent.Kind.PARENTAL
    if subject.kind == Person.Kind.ADULT_AT_RISK:
        return Consent.Kind.ADULT
    raise ValidationError("Consent is recorded for children and adults at risk only.")


def _check_consent(
    kind: str,
    subject: Person,
    given_by: Person | None,
    channels: Sequence[str],
    capacity: str,
    best_interests_by: str,
) -> None:
    errors: dict[str, str] = {}
    if not channels:
        errors["channels"] = "Choose at least one way the person may be contacted."
    elif set(channels) - set(Person.Channel.values):
        errors["channels"] = "One of the channels is not one SafeContact knows."
    if kind == Consent.Kind.PARENTAL:
        carers = Relationship.objects.filter(
            person=subject, parental_responsibility=True
        ).values_list("carer_id", flat=True)
        if given_by is None or given_by.pk not in set(carers):
            errors["given_by"] = (
                "Consent for a child must come from a parent or carer with "
                "parental responsibility; add the relationship first."
            )
    else:
        if not capacity:
            errors["capacity"] = "Record how the adult's capacity was considered."
        elif capacity != Consent.Capacity.HAS_CAPACITY and not best_interests_by:
            errors["best_interests_by"] = (
                "Say who supported the decision or made it in their best interests."
            )
    if errors:
        raise ValidationError(errors)


def _consent_after(consent: Consent) -> dict[str, Any]:
    data = snapshot(consent)
    data["groups"] = sorted(str(g.code) for g in consent.groups.all())
    data["purposes"] = sorted(str(p.code) for p in consent.purposes.all())
    data["allowed_workers"] = sorted(str(p.code) for p in consent.allowed_workers.all())
    data["platforms"] = sorted(str(p.code) for p in consent.platforms.all())
    return data


def _same_org(organisation_id: int, objects: Iterable[Any], what: str) -> None:
    if any(o.organisation_id != organisation_id for o in objects):
        raise PermissionDenied(f"All {what} must be in your organisation.")


@transaction.atomic
def record_consent(
    *,
    actor: User,
    subject: Person,
    evidence: str,
    evidence_date: datetime.date,
    channels: Sequence[str],
    purposes: Sequence[Any] = (),
    hours: Sequence[dict[str, Any]] = (),
    groups: Sequence[Any] = (),
    platforms: Sequence[Any] = (),
    allowed_roles: Sequence[str] = ("any_worker",),
    allowed_workers: Sequence[Person] = (),
    expires_on: datetime.date | None = None,
    given_by: Person | None = None,
    capacity: str = "",
    best_interests_by: str = "",
    accessibility: str = "",
    notes: str = "",
    photos_allowed: bool | None = None,
    photos_where: str = "",
) -> Consent:
    """Record consent given (or renewed, or changed): a new record in force.

    For a child, ``given_by`` is a parent or carer with parental
    responsibility; for an adult at risk, the adult's own consent with how
    their ``capacity`` was considered. ``purposes`` are from the
    organisation's list (``groups.Purpose``), none of them retired.
    """
    require_lead(actor, subject.organisation_id)
    return _give_consent(
        actor,
        recorded_by=actor,
        subject=subject,
        evidence=evidence,
        evidence_date=evidence_date,
        channels=channels,
        purposes=purposes,
        hours=hours,
        groups=groups,
        platforms=platforms,
        allowed_roles=allowed_roles,
        allowed_workers=allowed_workers,
        expires_on=expires_on,
        given_by=given_by,
        capacity=capacity,
        best_interests_by=best_interests_by,
        accessibility=accessibility,
        notes=notes,
        photos_allowed=photos_allowed,
        photos_where=photos_where,
    )


@dataclass(frozen=True)
class OnlineActor:
    """Who acted through a family link: named in the audit trail, not a User."""

    person: Person

    def __str__(self) -> str:
        return f"{self.person} (online, by secure link)"


def _check_online(by: Person, subject: Person) -> None:
    """The person at the link may decide for ``subject``: their own (adult at
    risk) or their child's (parental responsibility)."""
    if by.organisation_id != subject.organisation_id:
        raise PermissionDenied("Not your family's record.")
    if subject.kind == Person.Kind.ADULT_AT_RISK and by.pk == subject.pk:
        return
    if (
        subject.kind == Person.Kind.CHILD
        and Relationship.objects.filter(
            carer=by, person=subject, parental_responsibility=True
        ).exists()
    ):
        return
    raise PermissionDenied("Not your family's record.")


def online_consent_ends(
    organisation: Organisation, today: datetime.date
) -> datetime.date:
    """The last day of consent given online today: the same date, the
    organisation's renewal period (in months) later."""
    months = today.month - 1 + organisation.consent_renewal_months
    year, month = today.year + months // 12, months % 12 + 1
    return datetime.date(year, month, min(today.day, monthrange(year, month)[1]))


@transaction.atomic
def record_online_consent(
    *,
    by: Person,
    subject: Person,
    link_code: Any,
    channels: Sequence[str],
    purposes: Sequence[Any] = (),
    hours: Sequence[dict[str, Any]] = (),
    groups: Sequence[Any] = (),
    platforms: Sequence[Any] = (),
    allowed_workers: Sequence[Person] = (),
    expires_on: datetime.date | None = None,
    photos_allowed: bool | None = None,
    photos_where: str = "",
) -> Consent:
    """Consent given (or renewed) online by a parent for their child, or by an
    adult at risk for themselves, through the family link ``link_code``.

    The evidence is the person (``given_by`` for a child), the time of the
    record and the link's code. Where the Lead recorded that someone else
    decided for an adult (capacity), the adult cannot replace that online.
    """
    _check_online(by, subject)
    current = latest_consent(subject)
    today = org_today(subject.organisation)
    capacity = ""
    if subject.kind == Person.Kind.ADULT_AT_RISK:
        if current is not None and current.capacity == Consent.Capacity.BEST_INTERESTS:
            raise PermissionDenied(
                "A best-interests decision was recorded: the Safeguarding Lead "
                "changes it with the people who made it."
            )
        capacity = Consent.Capacity.HAS_CAPACITY
    return _give_consent(
        OnlineActor(by),
        recorded_by=None,
        subject=subject,
        evidence=Consent.Evidence.ONLINE,
        evidence_date=today,
        channels=channels,
        purposes=purposes,
        hours=hours,
        groups=groups,
        platforms=platforms,
        allowed_roles=(),
        allowed_workers=allowed_workers,
        # Asked again after the organisation's renewal period, as the page says.
        expires_on=expires_on or online_consent_ends(subject.organisation, today),
        given_by=by if subject.kind == Person.Kind.CHILD else None,
        capacity=capacity,
        notes="Given online through a secure family link.",
        photos_allowed=photos_allowed,
        photos_where=photos_where,
        online_link=link_code,
        any_worker=not allowed_workers,
    )


def _give_consent(
    actor: Any,
    *,
    recorded_by: User | None,
    subject: Person,
    evidence: str,
    evidence_date: datetime.date,
    channels: Sequence[str],
    purposes: Sequence[Any],
    hours: Sequence[dict[str, Any]],
    groups: Sequence[Any],
    allowed_roles: Sequence[str],
    allowed_workers: Sequence[Person],
    expires_on: datetime.date | None,
    platforms: Sequence[Any] = (),
    given_by: Person | None,
    capacity: str,
    best_interests_by: str = "",
    accessibility: str = "",
    notes: str = "",
    photos_allowed: bool | None = None,
    photos_where: str = "",
    online_link: Any = None,
    any_worker: bool = False,
) -> Consent:
    kind = _consent_kind(subject)
    _check_consent(kind, subject, given_by, channels, capacity, best_interests_by)
    _same_org(
        subject.organisation_id,
        [*groups, *allowed_workers, *purposes, *platforms],
        "groups, workers, purposes and platforms",
    )
    retired = [str(p) for p in purposes if p.retired_at is not None]
    if retired:
        raise ValidationError(
            {"purposes": f"{', '.join(retired)} is retired: choose a purpose in use."}
        )
    if any_worker:
        allowed_roles = ("any_worker",)
    if kind == Consent.Kind.PARENTAL and not (allowed_roles or allowed_workers):
        raise ValidationError("Say which workers or roles may make contact.")
    consent = Consent(
        organisation_id=subject.organisation_id,
        subject=subject,
        kind=kind,
        status=Consent.Status.GIVEN,
        given_by=given_by if kind == Consent.Kind.PARENTAL else None,
        channels=list(dict.fromkeys(channels)),
        hours=validate_hours(hours),
        allowed_roles=list(allowed_roles),
        expires_on=expires_on,
        capacity=capacity if kind == Consent.Kind.ADULT else "",
        best_interests_by=best_interests_by,
        accessibility=accessibility,
        evidence=evidence,
        evidence_date=evidence_date,
        notes=notes,
        photos_allowed=photos_allowed,
        photos_where=photos_where,
        online_link=online_link,
        recorded_by=recorded_by,
        supersedes=latest_consent(subject),
    )
    return _append_consent(actor, consent, groups, allowed_workers, purposes, platforms)


@transaction.atomic
def withdraw_consent(
    *,
    actor: User,
    subject: Person,
    evidence: str,
    evidence_date: datetime.date,
    notes: str = "",
    withdrawn_by: Person | None = None,
) -> Consent:
    """Record a withdrawal as a new record; the earlier ones stay as history."""
    require_lead(actor, subject.organisation_id)
    if (
        withdrawn_by is not None
        and withdrawn_by.organisation_id != subject.organisation_id
    ):
        raise PermissionDenied("The person withdrawing must be in your organisation.")
    return _withdraw(
        actor,
        recorded_by=actor,
        subject=subject,
        evidence=evidence,
        evidence_date=evidence_date,
        notes=notes,
        withdrawn_by=withdrawn_by,
    )


@transaction.atomic
def withdraw_online_consent(*, by: Person, subject: Person, link_code: Any) -> Consent:
    """Withdrawal through a family link: in force at once; a message waiting
    to leave is stopped when the outbox re-checks it."""
    _check_online(by, subject)
    return _withdraw(
        OnlineActor(by),
        recorded_by=None,
        subject=subject,
        evidence=Consent.Evidence.ONLINE,
        evidence_date=org_today(subject.organisation),
        notes="Withdrawn online through a secure family link.",
        withdrawn_by=by,
        online_link=link_code,
    )


def _withdraw(
    actor: Any,
    *,
    recorded_by: User | None,
    subject: Person,
    evidence: str,
    evidence_date: datetime.date,
    notes: str,
    withdrawn_by: Person | None,
    online_link: Any = None,
) -> Consent:
    current = latest_consent(subject)
    if current is None or current.status == Consent.Status.WITHDRAWN:
        raise ValidationError(f"{subject} has no consent in force to withdraw.")
    consent = Consent(
        organisation_id=subject.organisation_id,
        subject=subject,
        kind=current.kind,
        status=Consent.Status.WITHDRAWN,
        given_by=withdrawn_by,
        channels=[],
        hours=[],
        allowed_roles=[],
        evidence=evidence,
        evidence_date=evidence_date,
        notes=notes,
        online_link=online_link,
        recorded_by=recorded_by,
        supersedes=current,
    )
    return _append_consent(actor, consent, (), ())


def _append_consent(
    actor: Any,
    consent: Consent,
    groups: Sequence[Any],
    workers: Sequence[Person],
    purposes: Sequence[Any] = (),
    platforms: Sequence[Any] = (),
) -> Consent:
    # Lists may be empty (a withdrawal holds none), which full_clean calls blank;
    # consent given online has no user recording it.
    consent.full_clean(exclude=["channels", "hours", "allowed_roles", "recorded_by"])
    consent.save()  # first, so that its lists can be set
    consent.groups.set(groups)
    consent.allowed_workers.set(workers)
    consent.purposes.set(purposes)
    consent.platforms.set(platforms)
    state.refresh([consent.subject_id])
    save_and_record(
        actor=actor,
        organisation=consent.subject.organisation,
        obj=consent,
        before=None,
        after=_consent_after(consent),
    )
    return consent


# --- Repair ------------------------------------------------------------------------


@transaction.atomic
def rebuild_person_states(*, actor: Any, organisation: Organisation) -> int:
    """Recompute the organisation's state rows from the histories (a repair);
    returns how many were wrong. Recorded in the audit trail."""
    wrong = state.rebuild(organisation)
    record_change(
        actor=actor,
        organisation=organisation,
        obj=organisation,
        action="update",
        before={"register_state_rows_wrong": wrong},
        after={"register_state_rows": "rebuilt from the records"},
    )
    return wrong
