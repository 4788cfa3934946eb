"""Risk assessments of online activities: hazards, scores and controls.

An assessment is a draft until the Lead signs it off. Sign-off records the
facts the register knew about the activity's group at that moment, so the
assessment can be flagged when those facts get worse. Any change after
sign-off returns it to draft until it is signed off again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


def _on_scale(field: str) -> models.Q:
    return models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


class RiskAssessment(models.Model):
    class Activity(models.TextChoices):
        GROUP_CHAT = "group_chat", "A group chat or online community"
        VIDEO = "video", "Video calls and live streaming"
        GAMING = "gaming", "Online gaming"
        MENTORING = "mentoring", "One-to-one mentoring of adults at risk"
        OTHER = "other", "Another online activity"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    title = models.CharField(max_length=200)
    activity = models.CharField(max_length=16, choices=Activity)
    # The register group the activity runs in, whose facts SafeContact fills in.
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    description = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    # GroupFacts.as_dict() at sign-off (safeguarding.assessment).
    signed_facts = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["organisation", "archived_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.code])

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class Hazard(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="hazards"
    )
    description = models.TextField()
    who_harmed = models.CharField(max_length=300)
    # Likelihood (1 rare .. 5 almost certain) x impact (1 minor .. 5 severe),
    # before and after the controls below are in place.
    likelihood_before = models.PositiveSmallIntegerField()
    impact_before = models.PositiveSmallIntegerField()
    likelihood_after = models.PositiveSmallIntegerField()
    impact_after = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_on_scale("likelihood_before")
                & _on_scale("impact_before")
                & _on_scale("likelihood_after")
                & _on_scale("impact_after"),
                name="hazard_scores_on_scale",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]


class Control(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="controls"
    )
    action = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.action[:80]
