"""The contact gateway: messages, the outbox, in-app inboxes, inbound mail, alerts.

Every message a worker tries to send is a ``Message`` whatever the policy
engine decided (blocked ones too), so the record is complete. Each email that
has to leave is a ``Delivery`` row: the outbox is also the record of what was
sent, when, and what went wrong.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.urls import reverse

from safeguarding.screening.risk import Level


def new_reply_token() -> str:
    return secrets.token_hex(10)


class Message(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "Sent by a worker"
        INBOUND = "inbound", "Received"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "SafeContact inbox"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        HELD = "held", "Held for the Safeguarding Lead"
        DEFERRED = "deferred", "Waiting for agreed hours"
        QUEUED = "queued", "Queued to send"
        SENT = "sent", "Sent"
        BLOCKED = "blocked", "Blocked"
        REJECTED = "rejected", "Not sent (rejected by the Lead)"
        # Checked again as it was leaving, the rules now say no.
        STOPPED = "stopped", "Stopped before it left"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Indexed first in every index of Meta.indexes, not on its own: each
    # index is written on every send.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,
    )
    direction = models.CharField(
        max_length=16, choices=Direction, default=Direction.OUTBOUND
    )
    # Who it is from in the register (a worker, or a child replying).
    sender = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages_sent",
    )
    # The login that composed it (outbound only).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages_written",
        db_index=False,  # message_author_newest starts with it
    )
    recipients = models.ManyToManyField(
        "people.Person", through="Recipient", related_name="messages_received"
    )
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    channel = models.CharField(max_length=16, choices=Channel, default=Channel.EMAIL)
    # From the organisation's list; inbound replies carry their thread's.
    purpose = models.ForeignKey(
        "groups.Purpose",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status, default=Status.DRAFT)
    # The policy engine's answer: outcome, every reason, the changes applied.
    decision = models.JSONField(default=dict)
    # Whether it holds evidence a risk level can rise on: a word-list finding
    # or a line the line model firmly names (set when stored). The early
    # warning reads a sender's or a conversation's recent messages again only
    # when their window holds such a message; the partial indexes below find
    # the newest one without reading the others.
    evidence = models.BooleanField(default=False, db_default=False)
    # When a deferred message becomes due (start of the next agreed window).
    deliver_at = models.DateTimeField(null=True, blank=True)
    # The first message of the conversation, and the one this answers.
    thread = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread_messages",
    )
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    # Put in the Reply-To address and Message-ID so replies find their thread.
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    urgent_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # Why a re-check stopped it, in plain words ("Stopped: ..."), and the
    # re-check's decision (same shape as ``decision``) next to the first one.
    stopped_reason = models.TextField(blank=True)
    recheck = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # None is a prefix of another: SQLite and PostgreSQL read an index's
        # leading columns alone, and either way along it.
        indexes = [
            # Activity over time counts each live day's outbound messages by
            # status from this index alone, without reading the rows.
            models.Index(
                fields=["organisation", "created_at", "direction", "status"],
                name="message_org_day_status",
            ),
            # The held list and the sent page sort newest first within a filter.
            models.Index(
                fields=["organisation", "status", "-created_at", "-id"],
                name="message_org_status_newest",
            ),
            models.Index(
                fields=["author", "-created_at", "-id"], name="message_author_newest"
            ),
            # The newest message holding evidence, by sender, group and thread.
            # Partial: written only for the few messages that hold some.
            models.Index(
                fields=["sender", "id"],
                condition=models.Q(evidence=True),
                name="message_sender_evidence",
            ),
            models.Index(
                fields=["group", "id"],
                condition=models.Q(evidence=True),
                name="message_group_evidence",
            ),
            models.Index(
                fields=["thread", "id"],
                condition=models.Q(evidence=True),
                name="message_thread_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {str(self.code)[:8]} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("contact:detail", args=[self.code])

    @property
    def reasons(self) -> list[dict[str, object]]:
        return list(self.decision.get("reasons", []))


class Recipient(models.Model):
    class Role(models.TextChoices):
        TO = "to", "To"
        CC = "cc", "Copied in"
        BCC = "bcc", "Blind copy"

    # recipient_once_per_message (message, person) indexes it.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="recipient_rows", db_index=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=8, choices=Role, default=Role.TO)
    # The policy rule that copied this person in automatically, if any.
    added_by_rule = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "person"], name="recipient_once_per_message"
            )
        ]
        indexes = [
            # The few copied in by a rule: the dashboard's "changed" count.
            models.Index(
                fields=["message"],
                condition=~models.Q(added_by_rule=""),
                name="recipient_added_by_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Delivery(models.Model):
    """One outgoing email, claimed before it is sent; never deleted.

    docs/delivery.md describes the claim, the lease and what a crash can do.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        STOPPED = "stopped", "Stopped: the rules no longer allow it"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # delivery_org_next_attempt starts with it.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="deliveries"
    )
    # Addresses, as sent. Group email puts everyone in bcc.
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    # "message": the message itself; "copy": a copy of an inbound reply.
    kind = models.CharField(max_length=16, default="message")
    # How this row honours its recipients' accessibility preferences
    # (contact/services/routing.py): {"by": "email" | "inbox", "format":
    # "text" | "large_print", "people": [codes], "shown": {"to": [...], "cc":
    # [...]}}. Empty: one row for everyone on the message's channel.
    routing = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # When the row was last claimed (pending -> sending), by the real clock. It
    # is also the claim's token: only that claim may mark the row sent/failed.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Claims taken back from a process that died mid-send: each one means the
    # email may already have reached its recipients once.
    interruptions = models.PositiveIntegerField(default=0)
    # What went wrong last time, in plain words (never the message text).
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Stamped at the first claim and reused by every attempt, so a resend after
    # an interruption carries the same Message-ID.
    smtp_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The outbox page: one organisation's deliveries, next attempt first.
            models.Index(
                fields=["organisation", "next_attempt_at", "id"],
                name="delivery_org_next_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {str(self.code)[:8]} ({self.get_status_display()})"


class InboxItem(models.Model):
    """A message shown in someone's SafeContact inbox."""

    class Reason(models.TextChoices):
        RECIPIENT = "recipient", "Sent to you"
        REPLY = "reply", "A reply to you"
        COPY = "copy", "Copied to you"
        OVERSIGHT = "oversight", "For the Safeguarding Lead's oversight"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="inbox_items"
    )
    reason = models.CharField(max_length=16, choices=Reason)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message"], name="inbox_item_once_per_user"
            )
        ]
        # The inbox page: one user's items, newest first, without sorting them all.
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"], name="inbox_user_newest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message} for {self.user}"


class InboundMessage(models.Model):
    """Every email that reached the inbox, accepted or quarantined."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        QUARANTINED = "quarantined", "Quarantined"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Unknown when the mail is addressed to no organisation we know.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, default="smtp")  # smtp, imap, api
    from_address = models.CharField(max_length=320, blank=True)
    to_addresses = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    header_message_id = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status)
    # Why it was quarantined, in plain words.
    reason = models.TextField(blank=True)
    # The mail as received, kept so nothing is lost (cut at the size limit).
    raw = models.BinaryField()
    message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Inbound mail {str(self.code)[:8]} ({self.get_status_display()})"


class Alert(models.Model):
    """Scanner findings at or above the organisation's threshold: the Lead's queue."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ESCALATED = "escalated", "Escalated"

    class Kind(models.TextChoices):
        CONTENT = "content", "Worrying content in one message"
        EARLY_WARNING = "early_warning", "Early warning: a pattern across messages"
        AUDIT = "audit", "Found in an audit of a group chat"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # What the alert is about: a message through the gateway, or a finding of
    # a group audit (exactly one). An audit's alert holds nothing from the
    # chat itself: its lines stay in the finding, encrypted, and go with it
    # when the audit is deleted on its retention schedule.
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    audit_finding = models.OneToOneField(
        "audits.AuditFinding",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert",
    )
    # The ledger entry recording the attempt or the inbound mail.
    ledger_entry = models.ForeignKey(
        "ledger.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # [{"indicator", "severity", "start", "end", "evidence", "explanation", "next_step"}]
    findings = models.JSONField(default=list)
    severity = models.PositiveSmallIntegerField(default=0)
    # An early warning's findings come from the sender's recent messages, in
    # order ("message" names each one); a content alert's from this message.
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.CONTENT)
    # The thread or group the message belongs to, in plain words, with its own
    # level (0-3, as Level) and every finding of every sender in order; set
    # on early warnings.
    conversation = models.CharField(max_length=300, blank=True)
    conversation_level = models.PositiveSmallIntegerField(default=0)
    conversation_findings = models.JSONField(default=list)
    # Plain sentences: why the conversation has its level, and how the
    # learned model read the sender's messages (not only its score).
    conversation_reasons = models.JSONField(
        default=list, db_default=Value([], output_field=models.JSONField())
    )
    model_reasons = models.JSONField(
        default=list, db_default=Value([], output_field=models.JSONField())
    )
    # Raised because the conversation read as one voice reached high, though
    # no one sender did; its findings are then every finding in it, in order.
    raised_by_conversation = models.BooleanField(default=False, db_default=False)
    status = models.CharField(max_length=16, choices=Status, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # Activity over time counts each day's alerts.
            models.Index(
                fields=["organisation", "created_at"], name="alert_org_raised"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message__isnull=False, audit_finding__isnull=True)
                | models.Q(message__isnull=True, audit_finding__isnull=False),
                name="alert_about_a_message_or_a_finding",
            )
        ]

    def __str__(self) -> str:
        return f"Alert {str(self.code)[:8]} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("contact:alert", args=[self.code])

    @property
    def conversation_level_label(self) -> str:
        return Level(self.conversation_level).label

    @property
    def sharing(self) -> list[str]:
        """The people who share a conversation's rise (its findings are
        theirs alone), in order; empty for a sender's own alert."""
        if not self.raised_by_conversation:
            return []
        return list(dict.fromkeys(f["sender"] for f in self.findings if "sender" in f))
