"""Is a worker cleared to contact children / adults at risk today, and why."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class DbsLevel(enum.StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"  # enhanced with barred list check

    @property
    def rank(self) -> int:
        return list(DbsLevel).index(self)

    @property
    def label(self) -> str:
        return self.value.replace("_barred", " (with barred list)")


class Workforce(enum.StrEnum):
    """The workforce a DBS check was made for."""

    CHILDREN = "children"
    ADULTS = "adults"


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    """What the register holds about one worker's vetting and training.

    ``renewal_years`` is the organisation's recheck period. With the DBS
    Update Service the certificate does not expire (the organisation checks
    its status online). Dates are inclusive: a worker is active through
    ``end_date``, a check is current through its renewal date, training
    through ``training_expires_on``.
    """

    start_date: dt.date | None
    end_date: dt.date | None = None
    dbs_level: DbsLevel | None = None
    dbs_workforces: frozenset[Workforce] = frozenset(Workforce)
    certificate_date: dt.date | None = None
    update_service: bool = False
    renewal_years: int = 3
    # A renewal date set for this check, overriding ``renewal_years``.
    renewal_due: dt.date | None = None
    training_level: int = 0  # 0: none recorded
    training_expires_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Clearance:
    """``reasons`` always explains the answer, cleared or not.

    ``due_on`` is the first date something needs renewing (None if nothing
    dated), for "due within 30 days" reminders.
    """

    active: bool
    children: bool
    adults: bool
    reasons: tuple[str, ...]
    due_on: dt.date | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def renewal_date(
    certificate_date: dt.date,
    years: int,
    *,
    update_service: bool = False,
    renewal_due: dt.date | None = None,
) -> dt.date | None:
    """When a DBS check needs renewing: never on the Update Service, else the
    date set on the check, else ``years`` after the certificate. The one
    rule for clearance, the attention list, reminders and the worker's page."""
    if update_service:
        return None
    return renewal_due or add_years(certificate_date, years)


def earliest_certificate(today: dt.date, years: int) -> dt.date:
    """The oldest certificate date still in date on ``today`` after ``years``.

    ``today <= add_years(issued, years)`` exactly when ``issued >=
    earliest_certificate(today, years)``: the renewal rule as one date a
    database can compare a column with.
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February: a certificate of 28 February ran out
        return dt.date(today.year - years, 3, 1)


def clearance(
    facts: WorkerFacts,
    today: dt.date,
    *,
    minimum_dbs: DbsLevel = DbsLevel.ENHANCED,
    minimum_training: int = 1,
) -> Clearance:
    """Work out whether the worker is cleared, with every reason.

    Organisations whose roles are regulated activity set ``minimum_dbs`` to
    ``ENHANCED_BARRED``.
    """
    active, active_reason = _active(facts, today)
    vetted, vetting_reason, renewal_due = _vetting(facts, today, minimum_dbs)
    trained, training_reason = _training(facts, today, minimum_training)
    base = active and vetted and trained
    children = base and Workforce.CHILDREN in facts.dbs_workforces
    adults = base and Workforce.ADULTS in facts.dbs_workforces
    reasons = [active_reason, vetting_reason, training_reason]
    if vetted and not children:
        reasons.append("The DBS check was not made for work with children.")
    if vetted and not adults:
        reasons.append("The DBS check was not made for work with adults.")
    dates = [d for d in (renewal_due, facts.training_expires_on) if d is not None]
    return Clearance(active, children, adults, tuple(reasons), min(dates, default=None))


def _active(facts: WorkerFacts, today: dt.date) -> tuple[bool, str]:
    if facts.start_date is None:
        return False, "No start date is recorded."
    if today < facts.start_date:
        return False, f"Starts on {facts.start_date:%d %B %Y}."
    if facts.end_date is not None and today > facts.end_date:
        return False, f"Left on {facts.end_date:%d %B %Y}."
    return True, "Active worker."


def _vetting(
    facts: WorkerFacts, today: dt.date, minimum: DbsLevel
) -> tuple[bool, str, dt.date | None]:
    level, issued = facts.dbs_level, facts.certificate_date
    if level is None or issued is None:
        return False, "No DBS check is recorded.", None
    if level.rank < minimum.rank:
        return (
            False,
            f"A {level.label} DBS check is recorded; {minimum.label} is needed.",
            None,
        )
    if issued > today:
        return False, f"The DBS certificate date {issued} is in the future.", None
    due = renewal_date(
        issued,
        facts.renewal_years,
        update_service=facts.update_service,
        renewal_due=facts.renewal_due,
    )
    if due is None:
        return (
            True,
            f"{level.label.capitalize()} DBS check on the Update Service.",
            None,
        )
    if today > due:
        return False, f"The DBS check was due for renewal on {due:%d %B %Y}.", due
    return (
        True,
        f"{level.label.capitalize()} DBS check, renewal due {due:%d %B %Y}.",
        due,
    )


def _training(facts: WorkerFacts, today: dt.date, minimum: int) -> tuple[bool, str]:
    expires = facts.training_expires_on
    if facts.training_level < minimum or expires is None:
        return False, f"Safeguarding training at level {minimum} is not recorded."
    if today > expires:
        return False, f"Safeguarding training expired on {expires:%d %B %Y}."
    level = facts.training_level
    return True, f"Safeguarding training level {level} until {expires:%d %B %Y}."
