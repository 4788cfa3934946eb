"""Organisations, the people who log in, and API keys.

Every record in SafeContact belongs to one organisation; a user belongs to
exactly one (superusers to none) and never sees another's data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value

from safecontact.concerns import retention
from safecontact.lib.hours import validate_default_hours

# An invitation link works for this many days.
INVITATION_DAYS = 7


def new_report_token() -> str:
    return uuid.uuid4().hex


def default_audit_retention_days() -> int:
    """``AUDIT_RETENTION_DAYS``: the period a new organisation starts with."""
    days: int = settings.AUDIT_RETENTION_DAYS
    return days


# Long enough to act on what a group audit found; no longer than the shortest
# period concern records are kept, since it holds what children wrote.
MIN_AUDIT_DAYS = 30
MAX_AUDIT_DAYS = 365 * retention.MIN_YEARS
# Notification emails (a link, never content; invitations and resets carry
# their link encrypted until sent). Kept at least longer than the 30 days a
# DBS or training reminder is sent ahead (notifications.scheduled.REMIND_DAYS):
# the kept row is what stops the same reminder being queued again.
NOTIFICATION_DAYS = 90
MIN_NOTIFICATION_DAYS = 31
MAX_NOTIFICATION_DAYS = 730


def _between(low: int, high: int, unit: str, why: str = "") -> list[BaseValidator]:
    message = f"Enter a number of {unit} from {low} to {high}{why}."
    return [
        MinValueValidator(low, message=message),
        MaxValueValidator(high, message=message),
    ]


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
    # Used for a child or adult at risk whose consent agrees no hours of its
    # own: [{"day": 0-6 (Mon=0), "start": "18:00", "end": "20:00"}]. Empty:
    # none, so contact needs hours agreed on each consent.
    default_hours = models.JSONField(
        "default agreed hours",
        default=list,
        db_default=Value([], output_field=models.JSONField()),
        blank=True,
        validators=[validate_default_hours],
    )
    # Closed cases are kept this long, then deleted (purge_expired_cases).
    case_retention_years = models.PositiveSmallIntegerField(
        "years concern records are kept",
        default=retention.DEFAULT_YEARS,
        db_default=retention.DEFAULT_YEARS,
        validators=_between(
            retention.MIN_YEARS,
            retention.MAX_YEARS,
            "years",
            ": below six years a claim could outlive the record",
        ),
    )
    # Cases about the conduct of a worker or volunteer (allegations).
    conduct_case_retention_years = models.PositiveSmallIntegerField(
        "years records about a worker's conduct are kept",
        default=retention.CONDUCT_YEARS,
        db_default=retention.CONDUCT_YEARS,
        validators=_between(
            retention.MIN_CONDUCT_YEARS,
            retention.MAX_YEARS,
            "years",
            ": allegations about workers are kept at least ten years",
        ),
    )
    # Group audits, with everything read from the chat (purge_group_audits).
    audit_retention_days = models.PositiveIntegerField(
        "days group audits are kept",
        default=default_audit_retention_days,
        # For rows written without the field (older code, data migrations):
        # the shipped default of AUDIT_RETENTION_DAYS.
        db_default=365,
        validators=_between(MIN_AUDIT_DAYS, MAX_AUDIT_DAYS, "days"),
    )
    # Sent, digested and failed notification emails (purge_notifications).
    notification_retention_days = models.PositiveIntegerField(
        "days notification emails are kept",
        default=NOTIFICATION_DAYS,
        db_default=NOTIFICATION_DAYS,
        validators=_between(MIN_NOTIFICATION_DAYS, MAX_NOTIFICATION_DAYS, "days"),
    )
    # Unguessable token in the public "report a concern" link for this organisation.
    report_token = models.CharField(
        max_length=32, unique=True, default=new_report_token
    )
    # When the Lead said the public "report a concern" link was shared
    # (newsletter, poster, website): a step of getting started.
    report_link_shared_at = models.DateTimeField(
        "report link shared", null=True, blank=True
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
