"""The send path's hand-written SQL answers exactly as the ORM does.

``inputs.read_for`` (the sender with vetting and training, the newest
consents and their codes, the carers), the API key, the recipients and the
purpose by code, and the binding codes of conduct are read with hand-written
SQL for speed (docs/performance.md). Each is compared here with the ORM
query it replaces, on randomised registers: consent histories with ties on
the time recorded, carers with and without parental responsibility and from
another organisation, workers with several checks and courses or none, and
a login with no register entry. The writes (``rawsql.insert``) are read back
through the ORM and the contact log's chain is checked.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest
from django.db import models
from django.http import Http404
from django.utils import timezone

from safecontact.accounts.models import ApiKey, Organisation
from safecontact.accounts.services import (
    _unrevoked_key,
    create_api_key,
    hash_api_key,
    user_for_api_key,
)
from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.contact import selectors
from safecontact.contact.models import Delivery, Message, Recipient
from safecontact.contact.services import inputs, send_message
from safecontact.groups.models import Purpose
from safecontact.groups.tests.factories import GroupFactory, PlatformFactory
from safecontact.ledger.models import LedgerEntry, LedgerSubject
from safecontact.ledger.selectors import verify_chain
from safecontact.lib import rawsql
from safecontact.people.models import Consent, Person
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    PersonFactory,
    RelationshipFactory,
    TrainingFactory,
    VettingCheckFactory,
    WorkerFactory,
    purpose_named,
    years_ago,
)

pytestmark = pytest.mark.django_db


def values(obj: models.Model | None) -> tuple[Any, ...] | None:
    """Every column of ``obj`` as the ORM gives it."""
    if obj is None:
        return None
    return tuple(getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields)


def _pick(rng: random.Random, rows: list[Any], most: int) -> list[Any]:
    return rng.sample(rows, rng.randint(0, min(most, len(rows))))


def _register(seed: int) -> dict[str, Any]:
    """A randomised organisation, and another one next to it."""
    rng = random.Random(seed)
    org = OrganisationFactory.create()
    other = OrganisationFactory.create()
    purposes = list(Purpose.objects.filter(organisation=org))
    groups = GroupFactory.create_batch(3, organisation=org)
    platforms = PlatformFactory.create_batch(2)
    workers, users = [], []
    for n in range(4):
        user = UserFactory.create(organisation=org, role="worker")
        users.append(user)
        if n == 3:  # a login with a register entry but no worker profile
            PersonFactory.create(organisation=org, user=user)
            continue
        worker = WorkerFactory.create(
            organisation=org,
            user=user,
            vetting=rng.choice(["current", "expired", "missing"]),
            training=rng.choice(["current", "expired", "missing"]),
        )
        day = years_ago(rng.randint(0, 3))
        for _ in range(rng.randint(0, 2)):  # same certificate date: a tie
            VettingCheckFactory.create(person=worker, certificate_date=day)
        for _ in range(rng.randint(0, 2)):
            TrainingFactory.create(person=worker)
        workers.append(worker)
    users.append(UserFactory.create(organisation=org, role="worker"))  # nobody
    subjects = [
        *(ChildFactory.create(organisation=org) for _ in range(6)),
        *(AdultAtRiskFactory.create(organisation=org) for _ in range(2)),
    ]
    parents = ParentFactory.create_batch(5, organisation=org)
    stranger = ParentFactory.create(organisation=other)
    for subject in subjects:
        for carer in _pick(rng, [*parents, stranger], 3):
            RelationshipFactory.create(
                person=subject,
                carer=carer,
                parental_responsibility=rng.random() < 0.7,
            )
        moment = timezone.now() - dt.timedelta(days=rng.randint(1, 30))
        for _ in range(rng.randint(0, 3)):
            is_child = subject.kind == Person.Kind.CHILD
            consent = ConsentFactory.create(
                subject=subject,
                kind=Consent.Kind.PARENTAL if is_child else Consent.Kind.ADULT,
                given_by=rng.choice(parents) if is_child else None,
                capacity="" if is_child else "has_capacity",
                status=rng.choice(list(Consent.Status.values)),
                groups=_pick(rng, groups, 2),
                allowed_workers=_pick(rng, workers, 2),
                purposes=_pick(rng, purposes, 3),
            )
            consent.platforms.set(_pick(rng, platforms, 2))
            if rng.random() < 0.5:  # recorded at the same time as the last
                moment += dt.timedelta(seconds=rng.randint(1, 100))
            Consent.objects.filter(pk=consent.pk).update(recorded_at=moment)
    return {
        "org": org,
        "users": users,
        "people": [*subjects, *parents, *workers, stranger],
        "subjects": subjects,
        "purposes": purposes,
    }


SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sender_reads_as_the_orm_reads_it(seed):
    found = _register(seed)
    for user in found["users"]:
        raw = inputs.sender_row(user)
        orm = (
            Person.objects.select_related("worker")
            .prefetch_related("vetting_checks", "training")
            .filter(user=user)
            .first()
        )
        assert values(raw) == values(orm)
        if orm is None:
            continue
        profile = getattr(orm, "worker", None)
        assert values(getattr(raw, "worker", None)) == values(profile)

        def rows(person: Person | None, name: str) -> list[Any]:
            return sorted(values(r) for r in getattr(person, name).all())  # type: ignore[type-var]

        for name in ("vetting_checks", "training"):
            assert rows(raw, name) == rows(orm, name)


@pytest.mark.parametrize("seed", SEEDS)
def test_consents_codes_and_carers_read_as_the_orm_reads_them(seed):
    found = _register(seed)
    everyone = found["people"]
    newest = inputs.newest_consents([p.pk for p in everyone])
    for person in everyone:
        history = Consent.objects.filter(subject=person)
        newest_first = history.order_by("-recorded_at", "-id")
        assert values(newest.get(person.pk)) == values(newest_first.first())
    all_consents = list(Consent.objects.all())
    codes = inputs._consent_codes([c.pk for c in all_consents])
    for consent in all_consents:
        for got, related in zip(
            codes,
            (
                consent.groups,
                consent.allowed_workers,
                consent.purposes,
                consent.platforms,
            ),
            strict=True,
        ):
            want = sorted(str(c) for c in related.values_list("code", flat=True))
            assert sorted(got.get(consent.pk, [])) == want
    # The send path reads both in one query: the same rows, the same codes.
    together, together_codes = inputs._newest_consents_and_codes(
        [p.pk for p in everyone]
    )
    assert {k: values(v) for k, v in together.items()} == {
        k: values(v) for k, v in newest.items()
    }
    for joined, apart in zip(together_codes, codes, strict=True):
        assert {k: sorted(v) for k, v in joined.items()} == {
            c.pk: sorted(apart[c.pk]) for c in newest.values() if c.pk in apart
        }
    carers = inputs._carers(everyone)
    for person in everyone:
        orm = (
            Person.objects.filter(
                organisation_id=person.organisation_id,
                cares_for__person=person,
                cares_for__parental_responsibility=True,
            )
            .distinct()
            .order_by("last_name", "first_name", "id")
        )
        assert [values(c) for c in carers.get(person.pk, [])] == [
            values(c) for c in orm
        ]


@pytest.mark.parametrize("seed", SEEDS)
def test_people_and_purposes_by_code_read_as_the_orm_reads_them(seed):
    found = _register(seed)
    rng = random.Random(seed)
    user = found["users"][0]
    people = Person.objects.exclude(kind=Person.Kind.WORKER).filter(
        organisation=user.organisation
    )
    for _ in range(5):
        codes = [p.code for p in _pick(rng, list(people), 4)]
        orm = list(people.filter(code__in=codes))
        got = selectors.people_by_code(user, codes) if codes else []
        assert sorted(map(values, got)) == sorted(map(values, orm))  # type: ignore[type-var]
    worker = found["people"][-2]
    with pytest.raises(Http404):
        selectors.people_by_code(user, [worker.code])
    elsewhere = ParentFactory.create(organisation=OrganisationFactory.create())
    with pytest.raises(Http404):
        selectors.people_by_code(user, [elsewhere.code])
    for purpose in Purpose.objects.all():
        for org in Organisation.objects.all():
            same = Purpose.objects.filter(organisation=org, code=purpose.code)
            by_code = selectors.purpose_by_code(org.pk, purpose.code)
            assert values(by_code) == values(same.first())


@pytest.mark.parametrize("seed", SEEDS)
def test_people_and_a_purpose_read_in_one_query_as_the_orm_reads_them(seed):
    """The API's one query for the recipients and the purpose gives what
    the two ORM queries give: an unknown purpose or another organisation's
    is None, any person not found is a 404 whatever the purpose."""
    found = _register(seed)
    rng = random.Random(seed)
    user = found["users"][0]
    people = Person.objects.exclude(kind=Person.Kind.WORKER).filter(
        organisation=user.organisation
    )
    elsewhere = OrganisationFactory.create()
    choices = [
        None,
        uuid.uuid4(),
        *Purpose.objects.filter(organisation=user.organisation).values_list(
            "code", flat=True
        ),
        *Purpose.objects.filter(organisation=elsewhere).values_list("code", flat=True),
    ]
    for _ in range(8):
        codes = [p.code for p in _pick(rng, list(people), 4)]
        purpose = rng.choice(choices)
        got, by_code = selectors.people_and_purpose(user, codes, purpose)
        orm = list(people.filter(code__in=codes))
        assert sorted(map(values, got)) == sorted(map(values, orm))  # type: ignore[type-var]
        orm_purpose = (
            Purpose.objects.filter(organisation=user.organisation, code=purpose).first()
            if purpose is not None
            else None
        )
        assert values(by_code) == values(orm_purpose)
    worker = found["people"][-2]
    for purpose in choices[:3]:
        with pytest.raises(Http404):
            selectors.people_and_purpose(user, [worker.code], purpose)


def test_an_api_key_reads_as_the_orm_reads_it():
    org = OrganisationFactory.create()
    with_org = UserFactory.create(organisation=org, role="worker")
    _, raw = create_api_key(actor=with_org, name="parity")
    without = UserFactory.create(organisation=None, is_superuser=True)
    ApiKey.objects.create(
        organisation=org,
        name="login without an organisation",
        prefix="sc_x",
        hashed_key=hash_api_key("sc_x-parity"),
        user=without,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    for key_text, user in ((raw, with_org), ("sc_x-parity", without)):
        hashed = hash_api_key(key_text)
        got = _unrevoked_key(hashed)
        orm = (
            ApiKey.objects.select_related("user", "user__organisation")
            .filter(hashed_key=hashed, revoked_at__isnull=True)
            .first()
        )
        assert got is not None and orm is not None
        assert values(got) == values(orm)
        assert values(got.user) == values(orm.user) == values(user)
        assert values(got.user.organisation) == values(orm.user.organisation)
    assert user_for_api_key(raw) == with_org
    assert _unrevoked_key(hash_api_key("sc_not-a-key")) is None
    ApiKey.objects.filter(user=with_org).update(revoked_at=timezone.now())
    assert _unrevoked_key(hash_api_key(raw)) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_what_a_send_writes_reads_back_through_the_orm(seed):
    found = _register(seed)
    rng = random.Random(seed)
    org = found["org"]
    user = next(
        u
        for u in found["users"]
        if getattr(Person.objects.filter(user=u).first(), "worker", None)
    )
    purpose = purpose_named(org)
    sent = []
    for n in range(4):
        message = send_message(
            actor=user,
            recipients=_pick(rng, found["subjects"], 2) or found["subjects"][:1],
            channel=rng.choice(["email", "in_app"]),
            purpose=purpose if n else None,
            subject=f"Thursday {n}",
            body="See you at youth club on Thursday at 7.",
        )
        sent.append(message)
    entries = LedgerEntry.objects.filter(organisation=org).order_by("seq")
    logged = {e.content["message"]: e for e in entries}
    for message in sent:
        assert values(Message.objects.get(pk=message.pk)) == values(message)
        rows = Recipient.objects.filter(message=message).order_by("id")
        assert [
            {
                "person": str(r.person.code),
                "role": r.role,
                "added_by_rule": r.added_by_rule,
            }
            for r in rows
        ] == logged[str(message.code)].content["recipients"]
        queued = message.status in (Message.Status.QUEUED, Message.Status.DEFERRED)
        deliveries = Delivery.objects.filter(message=message)
        assert deliveries.exists() == queued
        assert all(d.organisation_id == org.pk for d in deliveries)
    for entry in entries:
        subjects = LedgerSubject.objects.filter(entry=entry).order_by("id")
        assert [s.subject_code for s in subjects] == entry.subjects
    assert verify_chain(org).ok


def _unsaved_message(org: Organisation) -> tuple[Message, list[Recipient]]:
    user = UserFactory.create(organisation=org, role="worker")
    message = Message(
        organisation=org,
        author=user,
        channel="email",
        subject="Thursday",
        body="See you on Thursday.",
        status=Message.Status.QUEUED,
        decision={"outcome": "allow"},
    )
    people = [ChildFactory.create(organisation=org) for _ in range(2)]
    rows = [Recipient(message=message, person=p) for p in people]
    return message, rows


def test_inserts_prepared_before_the_message_is_saved_take_its_key():
    org = OrganisationFactory.create()
    message, rows = _unsaved_message(org)
    first = rawsql.prepare_insert(Message, [message])
    then = rawsql.prepare_insert(Recipient, rows)
    assert message.pk is None
    rawsql.run(first)
    rawsql.run(then)
    assert values(Message.objects.get(pk=message.pk)) == values(message)
    stored = list(Recipient.objects.filter(message=message).order_by("id"))
    assert [values(r) for r in stored] == [values(r) for r in rows]
    assert all(r.message_id == message.pk and r.pk for r in rows)


def test_a_prepared_insert_refuses_what_points_at_an_unsaved_row():
    org = OrganisationFactory.create()
    _, rows = _unsaved_message(org)
    pending = rawsql.prepare_insert(Recipient, rows)
    with pytest.raises(ValueError, match="unsaved related object"):
        rawsql.run(pending)
    with pytest.raises(ValueError, match="unsaved related object"):
        rawsql.insert(Recipient, rows)
    assert not Recipient.objects.filter(person__in=[r.person for r in rows]).exists()


def test_fields_named_later_are_read_when_the_insert_runs():
    org = OrganisationFactory.create()
    message, _ = _unsaved_message(org)
    message.status = Message.Status.DRAFT
    pending = rawsql.prepare_insert(Message, [message], later=("status",))
    message.status = Message.Status.HELD
    rawsql.run(pending)
    assert Message.objects.get(pk=message.pk).status == Message.Status.HELD
