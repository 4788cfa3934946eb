"""Ages and who counts as a child on a given day."""

from __future__ import annotations

import datetime as dt

from safeguarding.policy.inputs import PersonKind, Recipient

ADULT_AGE = 18


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    """Whole years; someone born on 29 February ages on 1 March."""
    before_birthday = (today.month, today.day) < (
        date_of_birth.month,
        date_of_birth.day,
    )
    return today.year - date_of_birth.year - before_birthday


def born_on_or_before(today: dt.date, age: int) -> dt.date:
    """The latest date of birth of someone at least ``age`` on ``today``.

    ``age_on(born, today) >= age`` exactly when ``born <= born_on_or_before(...)``,
    so a database can compare a column with one date instead of working out
    every age. On 29 February, the day in a year without one is 28 February.
    """
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return dt.date(today.year - age, 2, 28)


def effective_kind(recipient: Recipient, today: dt.date) -> PersonKind:
    """The kind the rules apply: under 18 is a child, 18 and over is not.

    A registered child with no date of birth stays a child; a registered
    child who has turned 18 is an other adult (unless registered otherwise).
    """
    dob = recipient.date_of_birth
    if dob is None:
        return recipient.kind
    if age_on(dob, today) < ADULT_AGE:
        return PersonKind.CHILD
    if recipient.kind is PersonKind.CHILD:
        return PersonKind.OTHER_ADULT
    return recipient.kind
