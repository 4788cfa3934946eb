import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safecontact.audittrail.models import AuditEntry
from safecontact.groups import services
from safecontact.groups.models import GroupMember, Platform
from safecontact.groups.tests.factories import GroupFactory, PlatformFactory
from safecontact.people.tests.factories import ChildFactory, purpose_named

pytestmark = pytest.mark.django_db


def test_seeding_platforms_twice_adds_nothing_the_second_time(org):
    first = services.seed_platforms(organisation=org)
    assert {p.name for p in first} >= {"WhatsApp", "Email", "Instagram", "Signal"}
    assert services.seed_platforms(organisation=org) == []
    assert Platform.objects.filter(organisation=org).count() == len(first)


def test_every_seeded_platform_says_where_its_minimum_age_comes_from(org):
    for platform in services.seed_platforms(organisation=org):
        assert platform.minimum_age_source


def test_seeding_keeps_the_leads_approval(lead, org):
    services.seed_platforms(organisation=org)
    whatsapp = Platform.objects.get(organisation=org, name="WhatsApp")
    services.update_platform(actor=lead, platform=whatsapp, approved=True)
    services.seed_platforms(organisation=org)
    whatsapp.refresh_from_db()
    assert whatsapp.approved


def test_a_group_needs_a_purpose(lead, org):
    with pytest.raises(ValidationError) as err:
        services.create_group(
            actor=lead,
            organisation=org,
            name="G",
            purposes=[],
            audience="children",
            platform=PlatformFactory.create(organisation=org),
        )
    assert "purposes" in err.value.message_dict


def test_a_group_cannot_use_another_organisations_platform(lead, org, other_org):
    with pytest.raises(PermissionDenied):
        services.create_group(
            actor=lead,
            organisation=org,
            name="G",
            purposes=[purpose_named(org)],
            audience="children",
            platform=PlatformFactory.create(organisation=other_org),
        )


def test_removing_a_member_keeps_the_row(lead, org):
    group = GroupFactory.create(organisation=org)
    member = services.add_member(
        actor=lead, group=group, person=ChildFactory.create(organisation=org)
    )
    services.remove_member(actor=lead, member=member)
    assert GroupMember.objects.get(pk=member.pk).removed_at is not None
    assert AuditEntry.objects.filter(model="groups.groupmember").count() == 2


def test_a_removed_member_can_be_added_again(lead, org):
    group = GroupFactory.create(organisation=org)
    child = ChildFactory.create(organisation=org)
    services.remove_member(
        actor=lead, member=services.add_member(actor=lead, group=group, person=child)
    )
    services.add_member(actor=lead, group=group, person=child)
    with pytest.raises(ValidationError):
        services.add_member(actor=lead, group=group, person=child)


def test_a_trustee_cannot_add_members(trustee, org):
    group = GroupFactory.create(organisation=org)
    with pytest.raises(PermissionDenied):
        services.add_member(
            actor=trustee, group=group, person=ChildFactory.create(organisation=org)
        )
