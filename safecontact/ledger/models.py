"""The tamper-evident contact log: one hash chain of entries per organisation.

Entries are only ever added (``services.append_entry``). Each entry's hash
(``safeguarding.ledger.entry_hash``) covers the previous entry's hash, its seq
and its payload (``LedgerEntry.payload``), so an edit, deletion or reordering
made directly in the database shows up in ``manage.py verify_ledger``.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models

from safeguarding.ledger import GENESIS


class AppendOnlyError(Exception):
    """Ledger entries are never changed or deleted."""


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Contact log entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Contact log entries cannot be deleted.")


class ChainHead(models.Model):
    """The last seq and hash of an organisation's chain.

    Appending locks this row, so concurrent writers queue instead of forking the
    chain; the stored hash also reveals entries cut off the end of the chain.
    """

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"{self.organisation_id} at {self.seq}"


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        # Known kinds, for labels and filters; other dotted kinds are accepted.
        MESSAGE_ATTEMPT = "message.attempt", "Message attempted"
        MESSAGE_DELIVERED = "message.delivered", "Message delivered"
        MESSAGE_FAILED = "message.failed", "Message delivery failed"
        MESSAGE_INBOUND = "message.inbound", "Message received"
        MESSAGE_QUARANTINED = "message.quarantined", "Message quarantined"
        MESSAGE_RELEASED = "message.released", "Held message released"
        ALERT_RAISED = "alert.raised", "Alert raised"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Every index of the entry starts with it (ledger_org_*, the chain's
    # unique seq); on its own it would be one more write per entry.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # 1, 2, 3 ... within the organisation's chain, with no gaps.
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=64)
    # What the caller chose to record, as normalised JSON (no message bodies
    # unless the caller put them in).
    content = models.JSONField()
    # Person and group codes the entry concerns; hashed. LedgerSubject indexes them.
    subjects = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hashed instead of the foreign key, which becomes null if the account goes.
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    # The message the entry records (``content["message"]``) as an indexed
    # column, so a message's page finds its entries without searching JSON.
    # Not hashed: verify_ledger checks it against the hashed content.
    message_code = models.UUIDField(null=True, blank=True, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "seq"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "seq"], name="ledger_entry_unique_seq"
            ),
            models.CheckConstraint(
                condition=models.Q(seq__gte=1), name="ledger_seq_gte_1"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "kind"], name="ledger_org_kind"),
            models.Index(fields=["organisation", "created_at"], name="ledger_org_at"),
            models.Index(
                fields=["organisation", "message_code", "seq"],
                name="ledger_org_message",
                condition=models.Q(message_code__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Contact log entries cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ledger:detail", args=[self.code])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Contact log entries cannot be deleted.")

    @property
    def kind_label(self) -> str:
        try:
            return str(self.Kind(self.kind).label)
        except ValueError:
            return self.kind

    @property
    def payload(self) -> dict[str, Any]:
        return payload_of(
            organisation_code=str(self.organisation.code),
            kind=self.kind,
            content=self.content,
            subjects=self.subjects,
            actor_label=self.actor_label,
            created_at=self.created_at,
        )


def payload_of(
    *,
    organisation_code: str,
    kind: str,
    content: Any,
    subjects: Any,
    actor_label: str,
    created_at: Any,
) -> dict[str, Any]:
    """Everything an entry's hash covers, built from its stored columns."""
    return {
        "organisation": organisation_code,
        "kind": kind,
        "content": content,
        "subjects": subjects,
        "actor": actor_label,
        "at": created_at,
    }


def message_code_of(content: Any) -> UUID | None:
    """The message code an entry's content names, if it names one."""
    code = content.get("message") if isinstance(content, dict) else None
    if not isinstance(code, str):
        return None
    try:
        return UUID(code)
    except ValueError:
        return None


class LedgerSubject(models.Model):
    """Index of the people and groups each entry concerns, for history exports.

    Derived from ``LedgerEntry.subjects`` (which the hash covers); written in the
    same transaction as the entry.
    """

    # Indexed by ledger_subject_unique and ledger_subject_lookup, which
    # start with them.
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    subject_code = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "subject_code"], name="ledger_subject_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "subject_code"], name="ledger_subject_lookup"
            )
        ]

    def __str__(self) -> str:
        return self.subject_code


class ChainCheck(models.Model):
    """A check of the whole contact log, asked for on its page and run in the
    background (``tasks.check_chain``); the row records its progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Checking"
        DONE = "done", "Finished"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    # Entries in the log when the check started, and how far it has gone.
    total = models.PositiveBigIntegerField(default=0)
    checked = models.PositiveBigIntegerField(default=0)
    ok = models.BooleanField(null=True)
    # Where the chain first fails and why, in plain words (never entry contents).
    first_bad_seq = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Check of the contact log ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return (
            100 if not self.total else min(100, round(100 * self.checked / self.total))
        )
