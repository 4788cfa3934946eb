"""Factories for platforms, groups and their members."""

from __future__ import annotations

from typing import Any

import factory

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.groups.models import Group, GroupMember, Platform
from safecontact.people import state
from safecontact.people.tests.factories import ALL_WEEK, ChildFactory, purposes_of


class PlatformFactory(factory.django.DjangoModelFactory[Platform]):
    """An approved email-like platform with no minimum age unless told."""

    class Meta:
        model = Platform

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Platform {n}")
    kind = Platform.Kind.EMAIL
    minimum_age = 0
    minimum_age_source = ""
    hides_phone_numbers = True
    admins_can_restrict_posting = True
    history_exportable = True
    approved = True


class GroupFactory(factory.django.DjangoModelFactory[Group]):
    """A children's group for the youth-group purpose unless told."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    audience = Group.Audience.CHILDREN
    age_min = 11
    age_max = 14
    platform = factory.SubFactory(
        PlatformFactory, organisation=factory.SelfAttribute("..organisation")
    )
    hours = factory.LazyFunction(lambda: [dict(w) for w in ALL_WEEK])
    conduct_agreement = "Be kind. Leaders never message one member privately."

    @factory.post_generation
    def purposes(obj: Group, create: bool, extracted: Any, **kw: Any) -> None:
        if create:
            obj.purposes.set(purposes_of(obj.organisation, extracted))
            state.refresh_groups([obj.pk])  # as the services do


class GroupMemberFactory(factory.django.DjangoModelFactory[GroupMember]):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(
        ChildFactory, organisation=factory.SelfAttribute("..group.organisation")
    )
    role = GroupMember.Role.MEMBER

    @classmethod
    def _after_postgeneration(
        cls, instance: Any, create: bool, results: Any = None
    ) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # as the services do: the flag of the member's consent
            state.refresh_members(GroupMember.objects.filter(pk=instance.pk))
            instance.refresh_from_db(fields=["consent_fits", *state.WINDOW])
