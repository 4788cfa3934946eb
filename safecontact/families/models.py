"""Secure links to the family page: a parent's or an adult at risk's own place.

A link names one person. Only a hash of its token is stored, so a copy of the
database gives nobody a working link; a new link replaces the old one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models


class FamilyLink(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The parent or carer, or the adult at risk, the link is for.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="family_links"
    )
    # SHA-256 of the token in the emailed URL; the token itself is never kept.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Set when a newer link for the same person is sent.
    replaced_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="family_link_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"Family link for {self.person}"

    def works_at(self, now: dt.datetime) -> bool:
        return self.replaced_at is None and now < self.expires_at


class LinkRequestThrottle(models.Model):
    """One request for a link, counted per client address (hashed) and hour."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Link request at {self.at:%H:%M}"


class ConsentRequest(models.Model):
    """A request to a parent or carer (or an adult at risk) to give or renew
    consent for ``subject``. The rows of one send share ``batch``; a row is
    claimed (``sent_at``) before its email goes, so a batch interrupted by a
    restart carries on without sending anything twice."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    batch = models.UUIDField(db_index=True)
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="consent_requests"
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the Lead chose, in words for the page: a group's name, "12 people
    # chosen", or a renewal.
    label = models.CharField(max_length=200, blank=True)
    # The consent this request asks to renew (from the attention list); one
    # request per consent and recipient, so the action can be clicked twice.
    renews = models.ForeignKey(
        "people.Consent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="renewal_requests",
    )
    created_at = models.DateTimeField()
    # Taken by a worker before it sends; a claim older than the lease whose
    # email was never marked sent is taken again (a restart loses nothing).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "recipient", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "recipient", "subject"],
                name="consent_request_once_per_batch",
            ),
            models.UniqueConstraint(
                fields=["renews", "recipient"],
                condition=models.Q(renews__isnull=False),
                name="consent_renewal_once_per_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at"], name="consent_request_org_new"
            )
        ]

    def __str__(self) -> str:
        return f"Consent request to {self.recipient} for {self.subject}"
