"""Each person's state row (``PersonState``): which records count today.

The register keeps full histories (consent is append-only, DBS checks and
training accumulate). Lists over the whole register used to find "the newest
record per person" in those histories for every row they counted; they now
join the state row. The row holds facts only (which consent, which check, the
date training lasts until); whether they are current is decided at read time.

``refresh`` is called by every service that writes consent, checks or
training, in the same transaction; ``rebuild`` recomputes the rows of an
organisation from the histories (a repair, also run by the migration that
added them); ``stale`` says which rows disagree with the histories.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from safecontact.people.models import (
    Consent,
    Person,
    PersonState,
    Training,
    VettingCheck,
)

BATCH = 2000


@dataclass(frozen=True)
class Models:
    """The model classes to read and write: the live ones, or a migration's."""

    person: Any = Person
    state: Any = PersonState
    consent: Any = Consent
    vetting: Any = VettingCheck
    training: Any = Training


LIVE = Models()


def computed(
    person_ids: Iterable[int], models: Models = LIVE
) -> dict[int, tuple[int | None, int | None, Any]]:
    """person id -> (newest consent id, newest check id, training until), from
    the histories (3 queries). The orderings are those of ``latest_consent``
    and ``newest_vetting``."""
    ids = list(person_ids)
    found: dict[int, list[Any]] = {pk: [None, None, None] for pk in ids}
    consents = (
        models.consent.objects.filter(subject_id__in=ids)
        .order_by("subject_id", "-recorded_at", "-id")
        .values_list("subject_id", "id")
    )
    for person_id, consent_id in consents:
        if found[person_id][0] is None:
            found[person_id][0] = consent_id
    checks = (
        models.vetting.objects.filter(person_id__in=ids)
        .order_by("person_id", "-certificate_date", "-recorded_at", "-id")
        .values_list("person_id", "id")
    )
    for person_id, check_id in checks:
        if found[person_id][1] is None:
            found[person_id][1] = check_id
    training = (
        models.training.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(until=Max("expires_on"))
        .values_list("person_id", "until")
    )
    for person_id, until in training:
        found[person_id][2] = until
    return {pk: (c, v, t) for pk, (c, v, t) in found.items()}


def refresh(person_ids: Iterable[int], models: Models = LIVE) -> None:
    """Recompute the state rows of these people (5 queries a batch)."""
    ids = list(dict.fromkeys(person_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        _write(batch, computed(batch, models), models)


def _write(
    batch: list[int],
    rows: dict[int, tuple[int | None, int | None, Any]],
    models: Models,
) -> None:
    with transaction.atomic():
        models.state.objects.filter(person_id__in=batch).delete()
        models.state.objects.bulk_create(
            [
                models.state(person_id=pk, consent_id=c, vetting_id=v, training_until=t)
                for pk, (c, v, t) in rows.items()
                if (c, v, t) != (None, None, None)
            ]
        )


def _people(organisation: Any, models: Models) -> Iterator[list[int]]:
    """The organisation's people ids (every organisation's when None), in batches."""
    people = models.person.objects.order_by("pk")
    if organisation is not None:
        people = people.filter(organisation=organisation)
    ids = list(people.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def rebuild(organisation: Any = None, models: Models = LIVE) -> int:
    """Recompute every state row of ``organisation`` (all when None) from the
    histories; returns how many people's rows were wrong before."""
    wrong = 0
    for batch in _people(organisation, models):
        rows = computed(batch, models)
        wrong += len(_differing(batch, rows, models))
        _write(batch, rows, models)
    return wrong


def _differing(
    batch: list[int],
    rows: dict[int, tuple[int | None, int | None, Any]],
    models: Models,
) -> list[int]:
    stored = {
        s.person_id: (s.consent_id, s.vetting_id, s.training_until)
        for s in models.state.objects.filter(person_id__in=batch)
    }
    return [pk for pk, row in rows.items() if stored.get(pk, (None,) * 3) != row]


def stale(organisation: Any = None, models: Models = LIVE) -> list[int]:
    """The ids of people whose state row disagrees with their histories."""
    found = []
    for batch in _people(organisation, models):
        found += _differing(batch, computed(batch, models), models)
    return found
