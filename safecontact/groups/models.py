"""Where contact happens: platforms and the groups run on them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Platform(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        MESSAGING = "messaging", "Messaging app"
        SOCIAL = "social", "Social media"
        VIDEO = "video", "Video calls"
        IN_APP = "in_app", "SafeContact inbox"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="platforms"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind)
    minimum_age = models.PositiveSmallIntegerField(default=0)
    # Where the minimum age comes from (the platform's terms, UK law ...).
    minimum_age_source = models.CharField(max_length=300, blank=True)
    hides_phone_numbers = models.BooleanField(default=False)
    admins_can_restrict_posting = models.BooleanField(default=False)
    history_exportable = models.BooleanField(default=False)
    approved = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="platform_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Purpose(models.Model):
    """One reason the organisation contacts people, from its own list.

    Groups, consents and messages point at the same row, so the rules compare
    ids, never wording. A purpose anything uses is retired, not deleted.
    """

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="purposes"
    )
    name = models.CharField(max_length=200)
    # Retired purposes stay for history; nobody can choose them any more.
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "organisation", name="purpose_unique_name"
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="purpose_has_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    class Audience(models.TextChoices):
        CHILDREN = "children", "Children"
        YOUNG_PEOPLE = "young_people", "Young people"
        ADULTS_AT_RISK = "adults_at_risk", "Adults at risk"
        MIXED = "mixed", "Mixed"

    class Account(models.TextChoices):
        ORGANISATION = "organisation", "An account the organisation holds"
        PERSONAL = "personal", "A worker's personal account or phone number"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(max_length=150)
    # What the group is for, from the organisation's list: messages to the
    # group must have one of these purposes.
    purposes = models.ManyToManyField(Purpose, related_name="groups")
    # The group in the Lead's own words (what was once its free-text purpose).
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=16, choices=Audience)
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="groups"
    )
    # Whose account the group is run from on the platform (who created and
    # administers it): the guidance asks for organisation accounts.
    account = models.CharField(
        max_length=16, choices=Account, default=Account.ORGANISATION
    )
    # Agreed hours: [{"day": 0-6 (Mon=0), "start": "18:00", "end": "20:00"}].
    hours = models.JSONField(default=list)
    conduct_agreement = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # An organisation's live groups by name: the attention list pages
            # memberships in this order, so the database can stop at one page.
            models.Index(
                fields=["organisation", "name"],
                condition=models.Q(archived_at__isnull=True),
                name="group_live_by_name",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_max__gte=models.F("age_min")),
                name="group_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.code])

    @property
    def for_children(self) -> bool:
        return self.audience in CHILDREN_AUDIENCES


# Groups that children may be in: adults in them need a check for work with children.
CHILDREN_AUDIENCES = (
    Group.Audience.CHILDREN,
    Group.Audience.YOUNG_PEOPLE,
    Group.Audience.MIXED,
)


class GroupMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "Leader"
        MEMBER = "member", "Member"
        PARENT = "parent", "Parent or carer"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="memberships"
    )

    class Removal(models.TextChoices):
        BY_LEAD = "by_lead", "Removed by the Safeguarding Lead"
        LEFT = "left", "Left the organisation"

    role = models.CharField(max_length=16, choices=Role, default=Role.MEMBER)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Members are removed, not deleted, so the group's history stays.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Why: memberships ended because a worker left come back if they are
    # reinstated.
    removed_because = models.CharField(max_length=16, choices=Removal, blank=True)
    # A cache of facts, kept by the services (``people.state``): the member's
    # newest consent names this group (or no group) and allows one of its
    # purposes (``policy.consent_fits_group``). Whether that consent is in
    # force on a day is still decided at read time from its dates.
    consent_fits = models.BooleanField(default=False, db_default=False)
    # With it, the days that consent is in force from and until (until: none
    # means no end), kept only when it fits and is not withdrawn: the
    # attention list compares them with the day without joining the consent.
    consent_from = models.DateField(null=True, blank=True, db_default=None)
    consent_until = models.DateField(null=True, blank=True, db_default=None)

    class Meta:
        ordering = ["group", "role", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(removed_at__isnull=True),
                name="group_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group} ({self.get_role_display()})"
