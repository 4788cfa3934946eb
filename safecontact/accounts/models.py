"""Organisations, the people who log in, and API keys.

Every record in SafeContact belongs to one organisation; a user belongs to
exactly one (superusers to none) and never sees another's data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models


def new_report_token() -> str:
    return uuid.uuid4().hex


class Organisation(models.Model):
    class CopyPolicy(models.TextChoices):
        PARENT = "parent", "Copy in a parent or carer"
        SECOND_ADULT = "second_adult", "Copy in a second cleared adult"
        PARENT_THEN_SECOND_ADULT = (
            "parent_then_second_adult",
            "A parent or carer, or else a second cleared adult",
        )

    class OutsideHours(models.TextChoices):
        DEFER = "defer", "Hold until the next agreed time"
        BLOCK = "block", "Block the message"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="Europe/London")
    # Address messages go out from, and the shared inbox replies come back to.
    email_from = models.EmailField(blank=True)
    inbox_address = models.EmailField(blank=True)
    vetting_renewal_years = models.PositiveSmallIntegerField(default=3)
    # Safeguarding training is due again this many years after it was done.
    training_renewal_years = models.PositiveSmallIntegerField(default=3, db_default=3)
    # Consent given online lasts this many months; it is on the attention list
    # (with a "send a renewal request" action) this many days before it ends.
    consent_renewal_months = models.PositiveSmallIntegerField(default=12, db_default=12)
    consent_notice_days = models.PositiveSmallIntegerField(default=30, db_default=30)
    copy_policy = models.CharField(
        max_length=32, choices=CopyPolicy, default=CopyPolicy.PARENT_THEN_SECOND_ADULT
    )
    outside_hours = models.CharField(
        max_length=16, choices=OutsideHours, default=OutsideHours.DEFER
    )
    # Scanner findings at or above this severity (0 info .. 3 high) hold a message.
    content_hold_threshold = models.PositiveSmallIntegerField(default=2)
    # Unguessable token in the public "report a concern" link for this organisation.
    report_token = models.CharField(
        max_length=32, unique=True, default=new_report_token
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by an operator: nobody in a suspended organisation can sign in or use the API.
    suspended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class User(AbstractUser):
    class Role(models.TextChoices):
        LEAD = "lead", "Safeguarding Lead"
        DEPUTY = "deputy", "Deputy Safeguarding Lead"
        WORKER = "worker", "Worker or volunteer"
        TRUSTEE = "trustee", "Trustee or administrator"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(max_length=16, choices=Role, default=Role.WORKER)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False)
                | models.Q(is_superuser=True),
                name="user_has_organisation_unless_superuser",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_lead(self) -> bool:
        """The Lead or deputy: sees and manages everything in the organisation."""
        return self.role in (self.Role.LEAD, self.Role.DEPUTY)

    @property
    def is_oversight(self) -> bool:
        """Leads, deputies and trustees: may read the whole register."""
        return self.role in (self.Role.LEAD, self.Role.DEPUTY, self.Role.TRUSTEE)

    @property
    def needs_two_factor(self) -> bool:
        return self.is_oversight or self.is_superuser


class ApiKey(models.Model):
    """A per-organisation key for the JSON API; only its hash is stored."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    # The first characters of the key, shown so people can tell keys apart.
    prefix = models.CharField(max_length=12, db_index=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    # The key acts as this user, with exactly that user's role and limits.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    # Every key stops working at this time (settings.API_KEY_DAYS after it is
    # made): a key copied into a script and forgotten does not read cases forever.
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class Invitation(models.Model):
    """A link emailed to someone so they can set up their own login.

    Only a hash of the token is stored; the link works once, until it expires
    or a newer invitation for the same login replaces it.
    """

    class State(models.TextChoices):
        VALID = "valid", "Valid"
        EXPIRED = "expired", "Expired"
        USED = "used", "Already used"
        REPLACED = "replaced", "Replaced by a newer invitation"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    # The login being set up: inactive and without a usable password until used.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    hashed_token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation for {self.user}"

    def state(self, now: datetime) -> State:
        if self.used_at is not None:
            return self.State.USED
        if self.replaced_at is not None:
            return self.State.REPLACED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.VALID
