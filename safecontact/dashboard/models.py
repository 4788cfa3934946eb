"""Trustees' grants, compliance snapshots and umbrella bodies.

A trustee sees the figures, not the register; a Lead may grant one trustee
one area at a time (``TrusteeGrant``). An umbrella (a diocese, a national
charity) sees its members' figures through ``ComplianceSnapshot`` rows, which
hold counts only, never a name.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class TrusteeGrant(models.Model):
    class Area(models.TextChoices):
        REGISTER = "register", "The register: people, groups and what needs attention"
        CONTACT_LOG = "contact_log", "The contact log"
        AUDIT_TRAIL = "audit_trail", "The audit trail"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    trustee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    area = models.CharField(max_length=16, choices=Area)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    # Set when the Lead takes the grant back; the row stays as history.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trustee", "area"],
                condition=models.Q(revoked_at__isnull=True),
                name="trustee_grant_once_per_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trustee} may see {self.get_area_display().lower()}"


class ComplianceSnapshot(models.Model):
    """An organisation's compliance figures on one day: counts, never names."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    figures = models.JSONField()
    # When the counts were worked out (again, if the Lead asked for it).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day"], name="snapshot_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} on {self.day}"


class UmbrellaMembership(models.Model):
    """An invitation from an umbrella to an organisation, then its membership."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    umbrella = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Declined, withdrawn by the umbrella, or left by the member: over.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(accepted_at__isnull=False, ended_at__isnull=True),
                name="umbrella_one_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["umbrella", "member"],
                condition=models.Q(ended_at__isnull=True),
                name="umbrella_one_open_link",
            ),
            models.CheckConstraint(
                condition=~models.Q(umbrella=models.F("member")),
                name="umbrella_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.umbrella_id}"

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None and self.ended_at is None


class UmbrellaThreshold(models.Model):
    """Tell the umbrella's team when a member's figure falls below ``minimum``."""

    class Figure(models.TextChoices):
        CLEARED = "cleared", "Workers cleared to work with children or adults at risk"
        CONSENT = "consent", "People in groups with consent that covers the group"
        ACKNOWLEDGED = "acknowledged", "Workers who have read every policy"

    umbrella = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    figure = models.CharField(max_length=16, choices=Figure)
    minimum = models.PositiveSmallIntegerField()  # a percentage, 0 to 100

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["umbrella", "figure"], name="threshold_once_per_figure"
            ),
            models.CheckConstraint(
                condition=models.Q(minimum__lte=100), name="threshold_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()} at least {self.minimum}%"


class ThresholdNotice(models.Model):
    """One email about one member's figure on one day: sent once, never twice."""

    umbrella = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    figure = models.CharField(max_length=16, choices=UmbrellaThreshold.Figure)
    day = models.DateField()
    value = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["umbrella", "member", "figure", "day"],
                name="threshold_notice_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.figure} {self.value}% on {self.day}"


class UmbrellaTemplateQuerySet(models.QuerySet["UmbrellaTemplate"]):
    def for_member(self, organisation: Any, kind: str) -> UmbrellaTemplateQuerySet:
        """Templates of ``kind`` from the umbrella ``organisation`` belongs to now."""
        active = UmbrellaMembership.objects.filter(
            member=organisation, accepted_at__isnull=False, ended_at=None
        ).values("umbrella_id")
        return self.filter(umbrella_id__in=active, kind=kind).select_related("umbrella")


class UmbrellaTemplate(models.Model):
    """A policy or risk-assessment text an umbrella publishes to its members."""

    class Kind(models.TextChoices):
        POLICY = "policy", "Policy"
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    umbrella = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    title = models.CharField(max_length=200)
    # For policies: the area of the Policy a member starts from it.
    area = models.CharField(max_length=16, blank=True)
    body = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects = UmbrellaTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class DailyActivity(models.Model):
    """One day's activity counts (messages, alerts, concerns) for an
    organisation, stored once the day has settled so the dashboard and the
    trustees' report count only the last few days live. Counts, never names."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    # series name -> count, only the series that had any (see SERIES_LABELS).
    counts = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day"], name="activity_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} activity on {self.day}"
