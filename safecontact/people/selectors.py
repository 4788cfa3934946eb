"""Reads of the register that other apps and pages share.

Consent and clearance are worked out here from model rows; the rules
themselves live in the pure ``safeguarding.policy`` core.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from safecontact.people.models import (
    Consent,
    Person,
    Training,
    VettingCheck,
    WorkerProfile,
)
from safeguarding.policy import Clearance, DbsLevel, WorkerFacts, Workforce, clearance

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
        .prefetch_related("groups", "allowed_workers")
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


def consent_state(consent: Consent | None, day: datetime.date) -> str:
    """ "missing", "withdrawn", "expired" or "current", for lists and reasons."""
    if consent is None:
        return "missing"
    if consent.status == Consent.Status.WITHDRAWN:
        return "withdrawn"
    if consent.expires_on is not None and consent.expires_on < day:
        return "expired"
    return "current"


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
