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

Each membership also keeps ``consent_fits``: whether the member's newest
consent names the group (or none) and allows one of its purposes, as
``policy.consent_fits_group`` decides. It changes when the newest consent
does (``refresh``), when someone joins a group (``member_facts``, before the
row is made) and when a group's purposes change (``refresh_groups``). Every
membership is kept, ended ones too, so a membership brought back is right.
Renaming or retiring a purpose changes no link, so no flag. With the flag,
the membership keeps the days that consent is in force from and until
(``consent_from``, ``consent_until``), only when it fits and is not
withdrawn: facts again, compared with the day when read, so the attention
list counts consent from the membership without joining the consent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from safecontact.groups.models import GroupMember
from safecontact.people.models import (
    Consent,
    Person,
    PersonState,
    Training,
    VettingCheck,
)
from safeguarding.policy import consent_fits_group

BATCH = 2000


@dataclass(frozen=True)
class Models:
    """The model classes to read and write: the live ones, or a migration's."""

    person: Any = Person
    state: Any = PersonState
    consent: Any = Consent
    vetting: Any = VettingCheck
    training: Any = Training
    # None for a migration from before memberships kept the flag.
    member: Any = GroupMember


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


def lock(person_ids: Iterable[int], models: Models = LIVE) -> None:
    """Hold these people's rows until the transaction ends (PostgreSQL;
    SQLite's writers already take turns), in id order so two writers never
    wait on each other. Every write that reads a person's records to store
    what follows from them takes it first: otherwise two writes for one
    person at once (a withdrawal and a membership, training and a DBS check)
    could each store what it read before the other committed."""
    ids = sorted(set(person_ids))
    if ids and transaction.get_connection().features.has_select_for_update:
        list(
            models.person.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def refresh(person_ids: Iterable[int], models: Models = LIVE) -> None:
    """Recompute the state rows of these people, and the flags of their
    memberships (10 queries or so a batch), holding their rows (``lock``)."""
    ids = list(dict.fromkeys(person_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            lock(batch, models)
            _write(batch, computed(batch, models), models)
            if models.member is not None:
                members = models.member.objects.filter(person_id__in=batch)
                refresh_members(members, models)


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
        if models.member is not None:
            members = models.member.objects.filter(person_id__in=batch)
            wrong += len(refresh_members(members, models))
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
    """The ids of people whose state row, or the flag of one of whose
    memberships, disagrees with their histories."""
    found = []
    for batch in _people(organisation, models):
        wrong = set(_differing(batch, computed(batch, models), models))
        if models.member is None:
            found += sorted(wrong)
            continue
        members = models.member.objects.filter(person_id__in=batch)
        flags = refresh_members(members, models, write=False)
        wrong |= set(
            models.member.objects.filter(pk__in=flags).values_list(
                "person_id", flat=True
            )
        )
        found += sorted(wrong)
    return found


# --- Memberships: does the newest consent fit the group? ----------------------------

Row = tuple[int, int, int | None, bool]  # membership, group, newest consent, stored
# What a membership keeps: the flag, and the days its consent is in force
# from and until (both None unless it fits and is not withdrawn).
Facts = tuple[bool, Any, Any]
WINDOW = ("consent_from", "consent_until")
NEWEST = "person__state__consent"


def refresh_groups(group_ids: Iterable[int], models: Models = LIVE) -> list[int]:
    """Recompute the flag of every membership of these groups (after their
    purposes changed); returns the ids of the memberships that changed."""
    ids = list(group_ids)
    return refresh_members(models.member.objects.filter(group_id__in=ids), models)


def refresh_members(
    members: Any, models: Models = LIVE, *, write: bool = True
) -> list[int]:
    """Recompute ``consent_fits`` and the consent's days of these memberships
    (a queryset), reading the newest consent from the state rows; returns the
    ids of those that were wrong (and, with ``write``, are now right). 4 to 6
    queries a batch."""
    window = _has_window(models)
    columns = ["pk", "group_id", f"{NEWEST}_id", "consent_fits"]
    if window:
        dates = ("evidence_date", "expires_on", "status")
        columns += [*WINDOW, *(f"{NEWEST}__{name}" for name in dates)]
    rows = list(members.order_by("pk").values_list(*columns))
    wrong: list[int] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        fits = _fits([row[:4] for row in batch], models)
        # Without the window (a migration's model from before it), row[6:9]
        # is empty and only the flag is compared and written.
        found = {row[0]: _facts(fits[row[0]], *row[6:9]) for row in batch}
        stored = {row[0]: (row[3], *row[4:6]) if window else row[3:4] for row in batch}
        changed = [pk for pk in found if found[pk][: len(stored[pk])] != stored[pk]]
        if write and changed:
            _store({pk: found[pk] for pk in changed}, models, window)
        wrong += changed
    return wrong


def _has_window(models: Models) -> bool:
    return any(f.name == WINDOW[0] for f in models.member._meta.get_fields())


def _facts(
    fits: bool, given: Any = None, expires: Any = None, status: Any = None
) -> Facts:
    if not fits or given is None or status == Consent.Status.WITHDRAWN:
        return (fits, None, None)
    return (fits, given, expires)


def _store(found: dict[int, Facts], models: Models, window: bool) -> None:
    if window:
        models.member.objects.bulk_update(
            [
                models.member(
                    pk=pk, consent_fits=flag, consent_from=since, consent_until=until
                )
                for pk, (flag, since, until) in found.items()
            ],
            ["consent_fits", *WINDOW],
            batch_size=500,
        )
        return
    for value in (True, False):
        ids = [pk for pk, (flag, _, _) in found.items() if flag is value]
        if ids:
            models.member.objects.filter(pk__in=ids).update(consent_fits=value)


def member_facts(person_id: int, group_id: int) -> dict[str, Any]:
    """The fields of a membership about to be made (up to 5 queries). The
    person's row is held (``lock``) until the caller's transaction ends, so a
    consent withdrawn meanwhile waits and then finds the new membership."""
    lock([person_id])
    row = (
        LIVE.state.objects.filter(person_id=person_id)
        .values_list(
            "consent_id",
            "consent__evidence_date",
            "consent__expires_on",
            "consent__status",
        )
        .first()
    )
    consent_id, *dates = row or (None, None, None, None)
    flag = _fits([(0, group_id, consent_id, False)], LIVE)[0]
    return dict(zip(("consent_fits", *WINDOW), _facts(flag, *dates), strict=True))


def _fits(rows: Sequence[Row], models: Models) -> dict[int, bool]:
    """membership id -> whether the newest consent fits the group (3 queries)."""
    consents = {c for _, _, c, _ in rows if c is not None}
    groups = {g for _, g, c, _ in rows if c is not None}
    if not consents:
        return {pk: False for pk, _, _, _ in rows}
    named = _links(models.consent.groups.through, "consent_id", "group_id", consents)
    allowed = _links(
        models.consent.purposes.through, "consent_id", "purpose_id", consents
    )
    group_model = models.member._meta.get_field("group").related_model
    of_group = _links(group_model.purposes.through, "group_id", "purpose_id", groups)
    return {
        pk: consent is not None
        and consent_fits_group(
            named.get(consent, set()),
            allowed.get(consent, set()),
            group,
            of_group.get(group, set()),
        )
        for pk, group, consent, _ in rows
    }


def _links(through: Any, key: str, value: str, ids: set[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    pairs = through.objects.filter(**{f"{key}__in": list(ids)}).values_list(key, value)
    for k, v in pairs:
        found[k].add(v)
    return found
