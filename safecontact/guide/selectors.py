"""What a worker's or trustee's home page shows: their work and their checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from safecontact.accounts.models import User
from safecontact.groups.models import Group
from safecontact.lib.dates import org_today
from safecontact.people.models import Person
from safecontact.people.selectors import (
    DUE_SOON_DAYS,
    best_training,
    newest_vetting,
    person_for_user,
)
from safecontact.people.selectors.attention import _vetting_due as attention_vetting_due
from safecontact.policies.selectors import outstanding_for


@dataclass(frozen=True)
class CheckStatus:
    """One of the worker's own checks in plain words."""

    label: str
    ok: bool
    words: str


def vetting_due(person: Person) -> dt.date | None:
    """When the newest DBS check needs renewing (None: on the Update Service)."""
    due, _ = attention_vetting_due(person, person.organisation.vetting_renewal_years)
    return due


def _dated(label: str, due: dt.date, day: dt.date) -> CheckStatus:
    when = f"{due.day} {due:%B %Y}"
    if due < day:
        return CheckStatus(label, False, f"Expired on {when}. Tell your Lead.")
    if (due - day).days <= DUE_SOON_DAYS:
        days = (due - day).days
        return CheckStatus(label, False, f"Due on {when}, in {days} days.")
    return CheckStatus(label, True, f"Current until {when}.")


def own_checks(person: Person, day: dt.date) -> list[CheckStatus]:
    checks = []
    if newest_vetting(person) is None:
        checks.append(CheckStatus("DBS check", False, "No DBS check is recorded."))
    elif (due := vetting_due(person)) is None:
        checks.append(CheckStatus("DBS check", True, "Current (Update Service)."))
    else:
        checks.append(_dated("DBS check", due, day))
    course = best_training(person)
    if course is None:
        checks.append(
            CheckStatus("Safeguarding training", False, "No training is recorded.")
        )
    else:
        checks.append(_dated("Safeguarding training", course.expires_on, day))
    return checks


def home_for(user: User) -> dict[str, Any]:
    """The context of a worker's or trustee's home page (a few queries)."""
    person = person_for_user(user)
    if person is None:
        return {"person": None, "groups": [], "checks": [], "policies": []}
    groups = Group.objects.filter(
        members__person=person, members__removed_at=None
    ).order_by("name")
    is_worker = hasattr(person, "worker")
    return {
        "person": person,
        "groups": list(groups),
        "checks": own_checks(person, org_today(person.organisation))
        if is_worker
        else [],
        "policies": outstanding_for(person),
    }
