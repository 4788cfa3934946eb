"""Factories for the register. Dates are relative to today, so call them inside
``time_machine`` when a test depends on the exact day.

``WorkerFactory`` builds a worker cleared by default (active profile, a current
enhanced DBS check, current foundation training); pass ``vetting="expired"`` or
``"missing"`` and ``training="expired"`` or ``"missing"`` to break that.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.groups.models import Purpose
from safecontact.people import state
from safecontact.people.models import (
    Consent,
    Person,
    Relationship,
    Training,
    VettingCheck,
    WorkerProfile,
)

ALL_WEEK = [{"day": d, "start": "08:00", "end": "21:00"} for d in range(7)]


def today() -> datetime.date:
    return timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    day = today()
    try:
        back = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        back = day.replace(year=day.year - years, day=28)
    return back - datetime.timedelta(days=days)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    kind = Person.Kind.OTHER_ADULT
    date_of_birth = factory.LazyFunction(lambda: years_ago(40))
    email: Any = factory.LazyAttributeSequence(
        lambda p, n: f"{p.first_name.lower()}.{n}@example.org"
    )
    phone = ""


class VettingCheckFactory(factory.django.DjangoModelFactory[VettingCheck]):
    class Meta:
        model = VettingCheck

    person = factory.SubFactory(PersonFactory, kind=Person.Kind.WORKER)
    level = VettingCheck.Level.ENHANCED
    certificate_date = factory.LazyFunction(lambda: years_ago(1))
    certificate_number = factory.Sequence(lambda n: f"{n:012d}")
    update_service = False

    @classmethod
    def _after_postgeneration(
        cls, instance: Any, create: bool, results: Any = None
    ) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # as the services do: keep the person's state row current
            state.refresh([instance.person_id])


class TrainingFactory(factory.django.DjangoModelFactory[Training]):
    class Meta:
        model = Training

    person = factory.SubFactory(PersonFactory, kind=Person.Kind.WORKER)
    level = Training.Level.FOUNDATION
    completed_on = factory.LazyFunction(lambda: years_ago(1))
    expires_on = factory.LazyAttribute(
        lambda t: t.completed_on + datetime.timedelta(days=3 * 365)
    )
    provider = "Diocesan safeguarding team"

    @classmethod
    def _after_postgeneration(
        cls, instance: Any, create: bool, results: Any = None
    ) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # as the services do: keep the person's state row current
            state.refresh([instance.person_id])


class WorkerFactory(PersonFactory):
    """A worker Person with a profile, a vetting check and training (create only).

    ``vetting``: "current" (default), "expired" (renewal was due yesterday) or
    "missing"; ``training``: "current", "expired" (yesterday) or "missing";
    ``left=True`` ended the role ten days ago; ``employment``, ``works_with``
    and ``start_date`` go to the WorkerProfile.
    """

    kind = Person.Kind.WORKER
    first_name = factory.Sequence(lambda n: f"Worker{n}")

    @classmethod
    def _create(
        cls,
        model_class: Any,
        *args: Any,
        vetting: str = "current",
        training: str = "current",
        left: bool = False,
        employment: str = WorkerProfile.Employment.VOLUNTEER,
        works_with: str = WorkerProfile.WorksWith.BOTH,
        start_date: datetime.date | None = None,
        **kwargs: Any,
    ) -> Person:
        person: Person = super()._create(model_class, *args, **kwargs)
        WorkerProfile.objects.create(
            person=person,
            employment=employment,
            works_with=works_with,
            role_title="Youth leader",
            start_date=start_date or years_ago(2),
            end_date=today() - datetime.timedelta(days=10) if left else None,
        )
        _vetting(person, vetting)
        _training(person, training)
        return person


def _vetting(person: Person, state: str) -> None:
    if state == "missing":
        return
    # Renewal falls due three years after the certificate: "expired" was due yesterday.
    issued = years_ago(3, days=1) if state == "expired" else years_ago(1)
    VettingCheckFactory.create(person=person, certificate_date=issued)


def _training(person: Person, state: str) -> None:
    if state == "missing":
        return
    if state == "expired":
        expires = today() - datetime.timedelta(days=1)
    else:
        expires = today() + datetime.timedelta(days=2 * 365)
    TrainingFactory.create(
        person=person,
        completed_on=expires - datetime.timedelta(days=3 * 365),
        expires_on=expires,
    )


class ChildFactory(PersonFactory):
    kind = Person.Kind.CHILD
    first_name = factory.Sequence(lambda n: f"Child{n}")
    # About 12: a child, and under the 13+ limit of most social platforms.
    date_of_birth = factory.LazyFunction(lambda: years_ago(12, days=100))
    email = factory.LazyFunction(str)  # children rarely have an address on record


class ParentFactory(PersonFactory):
    kind = Person.Kind.PARENT
    first_name = factory.Sequence(lambda n: f"Parent{n}")


class AdultAtRiskFactory(PersonFactory):
    kind = Person.Kind.ADULT_AT_RISK
    first_name = factory.Sequence(lambda n: f"Adult{n}")
    date_of_birth = factory.LazyFunction(lambda: years_ago(70))


class RelationshipFactory(factory.django.DjangoModelFactory[Relationship]):
    class Meta:
        model = Relationship

    person = factory.SubFactory(ChildFactory)
    carer = factory.SubFactory(
        ParentFactory, organisation=factory.SelfAttribute("..person.organisation")
    )
    relationship = "parent"
    parental_responsibility = True


YOUTH_GROUP = "Youth group"


def purpose_named(organisation: Any, name: str = YOUTH_GROUP) -> Purpose:
    """The organisation's purpose called ``name`` (any case), made if missing."""
    found = Purpose.objects.filter(organisation=organisation, name__iexact=name)
    return found.first() or Purpose.objects.create(organisation=organisation, name=name)


def purposes_of(organisation: Any, given: Any) -> list[Purpose]:
    """Purposes for a factory: ``given`` names or rows; None is the youth group."""
    if given is None:
        return [purpose_named(organisation)]
    return [
        p if isinstance(p, Purpose) else purpose_named(organisation, p) for p in given
    ]


class ConsentFactory(factory.django.DjangoModelFactory[Consent]):
    """Current parental consent for a child, given by a parent (made if absent).

    For an adult at risk pass ``kind=Consent.Kind.ADULT, given_by=None`` and a
    ``capacity``. ``groups`` and ``allowed_workers`` take lists.
    """

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    subject = factory.SubFactory(ChildFactory)
    organisation = factory.SelfAttribute("subject.organisation")
    kind = Consent.Kind.PARENTAL
    status = Consent.Status.GIVEN
    given_by = factory.Maybe(
        factory.LazyAttribute(lambda c: c.kind == Consent.Kind.PARENTAL),
        yes_declaration=factory.SubFactory(
            ParentFactory, organisation=factory.SelfAttribute("..subject.organisation")
        ),
        no_declaration=None,
    )
    channels = factory.LazyFunction(lambda: ["email", "in_app"])
    hours = factory.LazyFunction(lambda: [dict(w) for w in ALL_WEEK])
    allowed_roles = factory.LazyFunction(lambda: ["any_worker"])
    expires_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=365))
    evidence = Consent.Evidence.FORM
    evidence_date = factory.LazyFunction(lambda: today() - datetime.timedelta(days=7))

    @factory.post_generation
    def groups(obj: Consent, create: bool, extracted: Any, **kw: Any) -> None:
        if create and extracted:
            obj.groups.set(extracted)

    @factory.post_generation
    def allowed_workers(obj: Consent, create: bool, extracted: Any, **kw: Any) -> None:
        if create and extracted:
            obj.allowed_workers.set(extracted)

    @factory.post_generation
    def purposes(obj: Consent, create: bool, extracted: Any, **kw: Any) -> None:
        """The youth-group purpose unless told; names or Purpose rows."""
        if create:
            obj.purposes.set(purposes_of(obj.organisation, extracted))

    @classmethod
    def _after_postgeneration(
        cls, instance: Any, create: bool, results: Any = None
    ) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # as the services do: keep the person's state row current
            state.refresh([instance.subject_id])
