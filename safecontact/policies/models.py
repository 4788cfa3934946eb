"""The organisation's safeguarding policies, their versions, and who has read them.

A policy's text lives in its versions: the newest published version is the
one in force; at most one unpublished draft waits to be published. A
published version never changes, so an acknowledgement always refers to
the words the worker actually read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Policy(models.Model):
    class Area(models.TextChoices):
        CONTACT = "contact", "Contacting children and adults at risk"
        STORAGE = "storage", "Safe storage of records and devices"
        DATA = "data", "Sharing and use of personal data"
        SOCIAL = "social_media", "Managing social media and group chats"
        CONDUCT = "conduct", "Code of conduct for online contact"
        OTHER = "other", "Other"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who works or volunteers"
        CHILDREN = "children", "Those who work with children"
        ADULTS = "adults", "Those who work with adults at risk"
        LEADS = "leads", "The Safeguarding Lead and deputies"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(max_length=200)
    area = models.CharField(max_length=16, choices=Area)
    audience = models.CharField(
        max_length=16, choices=Audience, default=Audience.EVERYONE
    )
    # The person who keeps the policy up to date (usually the Lead).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_months = models.PositiveSmallIntegerField(default=12)
    review_due = models.DateField(null=True, blank=True)
    # Only for a code of conduct: until a worker acknowledges the version in
    # force, the gateway does not let them contact children or adults at risk.
    blocks_contact = models.BooleanField(default=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blocks_contact=False) | models.Q(area="conduct"),
                name="policy_only_conduct_blocks_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(review_months__gte=1),
                name="policy_review_at_least_monthly",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.code])


class PolicyVersion(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="versions"
    )
    # 1, 2, 3 ... in order of creation; the draft has the next number.
    number = models.PositiveIntegerField()
    # Markdown, rendered with raw HTML switched off (see policies/markdown.py).
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"], name="policy_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(published_at__isnull=True),
                name="policy_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} (version {self.number})"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class Acknowledgement(models.Model):
    class How(models.TextChoices):
        ONLINE = "online", "Read and acknowledged in SafeContact"
        PAPER = "paper", "Signed on paper, recorded by the Lead"

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    how = models.CharField(max_length=8, choices=How, default=How.ONLINE)
    acknowledged_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person"], name="acknowledged_once_per_version"
            )
        ]
        indexes = [models.Index(fields=["person", "version"])]

    def __str__(self) -> str:
        return f"{self.person} read {self.version}"
