"""Emails that tell people something needs them: a link, never the content.

A ``Notification`` is both the queue and the record (like the outbox's
``Delivery``): claimed by a conditional UPDATE, retried with backoff. ``key``
is unique per event, recipient and day, so a job that runs twice queues
nothing twice; sent and failed rows are kept for the organisation's period
(``purge_notifications``), long enough for that. Invitations and password resets go through the
same queue, their link kept encrypted until sent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safecontact.concerns.crypto import EncryptedTextField


class Notification(models.Model):
    class Kind(models.TextChoices):
        HELD = "held", "A message is held for review"
        ALERT = "alert", "An alert or early warning"
        URGENT = "urgent", "An urgent send outside agreed hours"
        CONCERN = "concern", "A new concern"
        QUARANTINE = "quarantine", "Quarantined mail"
        ATTENTION = "attention", "New items on the attention list"
        REVIEWED = "reviewed", "Your held message was reviewed"
        RENEWAL = "renewal", "A DBS check or training is due"
        DIGEST = "digest", "Daily digest"
        INVITATION = "invitation", "An invitation to set up a login"
        PASSWORD_RESET = "password_reset", "A link to reset a password"

    class Status(models.TextChoices):
        # Waits for this person's daily digest.
        WAITING = "waiting", "Waiting for the daily digest"
        PENDING = "pending", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        # Folded into a digest notification, which is sent instead.
        DIGESTED = "digested", "Sent in a digest"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # None only for a superuser's password reset (they belong to none).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=16, choices=Kind)
    # "<kind>:<event>:<recipient>:<day>": the same event never queues twice.
    key = models.CharField(max_length=200, unique=True)
    # A path on this site (SITE_URL is added when the email is written).
    link = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts"
    )
    # Opaque ids of attention-list items this digest covered (no names).
    items = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last try failed, in plain words (never an address or content).
    last_error = models.TextField(blank=True)
    # The one-time link an invitation or password reset carries: encrypted
    # while it waits, erased once the email has gone.
    secret = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class Preference(models.Model):
    """How one person wants to hear about things that can wait a day."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Straight away, one email each time"
        DAILY = "daily", "Once a day, in one email"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    delivery = models.CharField(
        max_length=16, choices=Delivery, default=Delivery.IMMEDIATE
    )

    def __str__(self) -> str:
        return self.get_delivery_display()
