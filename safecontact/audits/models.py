"""Audits of the groups an organisation already runs elsewhere (WhatsApp first).

The Lead uploads a group's chat export; a background task reads it and stores
a report: findings about who is in the chat, when they wrote and what the
scanner saw. Everything taken from the chat (names, numbers, lines) is
encrypted at rest like case files; only counts, kinds and dates are plain.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from safecontact.concerns.crypto import EncryptedTextField


class GroupAudit(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Reading the export"
        DONE = "done", "Finished"
        FAILED = "failed", "Could not be read"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "groups.Group", on_delete=models.PROTECT, related_name="audits"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The uploaded file's name: it often names the chat, so it is encrypted.
    file_name = EncryptedTextField(blank=True)
    # Where the upload waits on disk for the task; emptied once it is read.
    upload_path = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    # Progress for the refreshing page: lines read out of lines in the file.
    lines_total = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    messages_read = models.PositiveIntegerField(default=0)
    # Messages not seen in an earlier export of this group.
    messages_new = models.PositiveIntegerField(default=0)
    unplaced_lines = models.PositiveIntegerField(default=0)
    # Scanner findings past the most an audit keeps: counted, not stored.
    findings_not_kept = models.PositiveIntegerField(default=0)
    first_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Why the export could not be read, in plain words (never its contents).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moved on with progress: an audit left running without it lost its worker.
    updated_at = models.DateTimeField(auto_now=True)
    # After this moment the audit and everything from the chat is deleted.
    keep_until = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Audit of {self.group} ({self.created_at:%d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", args=[self.code])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.lines_total:
            return 0
        return min(99, self.lines_done * 100 // self.lines_total)


class AuditFinding(models.Model):
    class Kind(models.TextChoices):
        UNKNOWN_ADULT = "unknown_adult", "Someone not in the register"
        UNKNOWN_NUMBER = "unknown_number", "A phone number nobody on record has"
        FORMER_WORKER = "former_worker", "Someone who has left is still in the chat"
        UNCHECKED_WORKER = "unchecked_worker", "A worker without a current check"
        UNCHECKED_ADULT = "unchecked_adult", "An adult without a check in a group"
        UNDER_AGE = "under_age", "A child under the platform's minimum age"
        ONE_TO_ONE = "one_to_one", "One-to-one chat between a worker and a child"
        OUT_OF_HOURS = "out_of_hours", "Messages outside agreed hours"
        PERSONAL_DETAILS = "personal_details", "Personal details shared"
        SCANNER = "scanner", "Worrying words"
        SENDER_RISK = "sender_risk", "Conversation risk of one sender"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    audit = models.ForeignKey(
        GroupAudit, on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    # 0-3: how soon the Lead should look (3 first).
    severity = models.PositiveSmallIntegerField(default=1)
    # The person on the register the sender was matched to, if any.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name or number as the chat shows it.
    sender = EncryptedTextField(blank=True)
    # What the finding says, in plain words, with the chat's lines: JSON
    # {"summary": str, "lines": [{"at", "sender", "text", "hit"}], ...}.
    detail = EncryptedTextField(blank=True)
    count = models.PositiveIntegerField(default=1)
    # The Lead put it on the attention list.
    on_attention_list = models.BooleanField(default=False)
    # The concern raised from it, once one is.
    case = models.ForeignKey(
        "concerns.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-severity", "kind", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SeenMessage(models.Model):
    """A keyed hash of one message already audited in this group, so a later
    export of the same chat only adds what is new. The hash is keyed with the
    server's secret, so it cannot confirm a guessed message."""

    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, related_name="+"
    )
    audit = models.ForeignKey(GroupAudit, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "digest"], name="seen_message_once"
            )
        ]

    def __str__(self) -> str:
        return self.digest
