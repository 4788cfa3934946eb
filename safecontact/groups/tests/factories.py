"""Factories for platforms, groups and their members."""

from __future__ import annotations

import factory

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.groups.models import Group, GroupMember, Platform
from safecontact.people.tests.factories import ALL_WEEK, ChildFactory


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
    class Meta:
        model = Group

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    purpose = "youth group"
    audience = Group.Audience.CHILDREN
    age_min = 11
    age_max = 14
    platform = factory.SubFactory(
        PlatformFactory, organisation=factory.SelfAttribute("..organisation")
    )
    hours = factory.LazyFunction(lambda: [dict(w) for w in ALL_WEEK])
    conduct_agreement = "Be kind. Leaders never message one member privately."


class GroupMemberFactory(factory.django.DjangoModelFactory[GroupMember]):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(
        ChildFactory, organisation=factory.SelfAttribute("..group.organisation")
    )
    role = GroupMember.Role.MEMBER
