"""Concerns and the case file the Safeguarding Lead works from.

A concern, however it arrives (the public form, a worker in the app, the API),
becomes a ``Case`` at once: there is one record from first report to closure.
Everything a reader could learn the substance of the concern from is stored
encrypted (``EncryptedTextField``; attachments as encrypted bytes).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from safecontact.concerns.crypto import EncryptedTextField


class Case(models.Model):
    class Source(models.TextChoices):
        PUBLIC = "public", "Public reporting form"
        IN_APP = "in_app", "Reported in SafeContact"
        API = "api", "Reported through the API"

    class Form(models.TextChoices):
        STANDARD = "standard", "Standard form"
        CHILD = "child", "Child-friendly form"
        EASY_READ = "easy_read", "Easy Read form"
        STAFF = "staff", "Staff form"

    class Status(models.TextChoices):
        NEW = "new", "New: not yet triaged"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Category(models.TextChoices):
        ONLINE_CONTACT = "online_contact", "Unsafe online contact"
        GROOMING = "grooming", "Grooming"
        PERSONAL_DETAILS = "personal_details", "Sharing personal details or images"
        PEER_HARM = "peer_harm", "Harm from other children or peers"
        WORKER_CONDUCT = "worker_conduct", "Conduct of a worker or volunteer"
        OTHER = "other", "Other"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        IMMEDIATE = "immediate", "Immediate danger"

    class About(models.TextChoices):
        INSIDE = "inside", "Someone in the organisation"
        OUTSIDE = "outside", "Someone outside the organisation"
        UNSURE = "unsure", "Not sure"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action needed"
        ADVICE_GIVEN = "advice", "Advice and support given"
        INTERNAL_ACTION = "internal", "Dealt with inside the organisation"
        REFERRED = "referred", "Referred to another agency"
        UNFOUNDED = "unfounded", "Looked into: not substantiated"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    # Short, human reference the reporter is given (SC-7K3Q-9XPD).
    reference = models.CharField(max_length=16, unique=True)
    source = models.CharField(max_length=16, choices=Source)
    form = models.CharField(max_length=16, choices=Form)
    status = models.CharField(max_length=16, choices=Status, default=Status.NEW)
    category = models.CharField(max_length=24, choices=Category, blank=True)
    risk = models.CharField(max_length=16, choices=Risk, blank=True)
    narrative = EncryptedTextField()
    about = models.CharField(max_length=16, choices=About, default=About.UNSURE)
    about_description = EncryptedTextField(blank=True)
    # The named account the concern is about: never shown the case, never notified.
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    anonymous = models.BooleanField(default=False)
    reporter_name = EncryptedTextField(blank=True)
    reporter_contact = EncryptedTextField(blank=True)
    # Who the reporter is to the person at risk (child, parent, worker...), as they said.
    reporter_relation = models.CharField(max_length=32, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(max_length=16, choices=Outcome, blank=True)
    outcome_note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # Activity over time counts the cases opened and closed each day.
            models.Index(fields=["organisation", "created_at"], name="case_org_opened"),
            models.Index(fields=["organisation", "closed_at"], name="case_org_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (models.Q(closed_at__isnull=False) & ~models.Q(outcome="")),
                name="case_closed_has_outcome",
            )
        ]

    def __str__(self) -> str:
        # Only the reference: this label goes into audit entries and page titles.
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("concerns:detail", args=[self.code])


class RoutingSettings(models.Model):
    """Who, besides the deputy, receives a concern about the Safeguarding Lead."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    named_trustee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "routing settings"

    def __str__(self) -> str:
        return f"Concern routing for {self.organisation}"


class CaseShare(models.Model):
    """Someone the Lead has explicitly let read this case."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_share_once")
        ]

    def __str__(self) -> str:
        return f"{self.case} shared with {self.user}"


class Evidence(models.Model):
    """A pointer to a record elsewhere (a scanner alert, a contact-log entry).

    Stored as kind + code so a case never depends on another app's tables; the
    record is looked up when shown (see ``evidence.resolve``).
    """

    class Kind(models.TextChoices):
        ALERT = "alert", "Scanner alert"
        LEDGER_ENTRY = "ledger_entry", "Contact log entry"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=Kind)
    ref = models.CharField(max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "ref"], name="evidence_linked_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref[:8]}"


class Attachment(models.Model):
    """A screenshot, re-encoded without metadata and stored encrypted."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    # Fernet token of the cleaned image bytes.
    data = models.BinaryField()
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Screenshot {str(self.code)[:8]} ({self.width} by {self.height})"


class ChronologyEntry(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", "Concern reported"
        MANUAL = "manual", "Note"
        EVIDENCE = "evidence", "Evidence linked"
        TRIAGE = "triage", "Triage"
        ACTION = "action", "Action"
        DECISION = "decision", "Decision"
        REFERRAL = "referral", "Referral"
        STATUS = "status", "Status change"
        SHARE = "share", "Access"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chronology")
    kind = models.CharField(max_length=16, choices=Kind)
    # When it happened (may be before it was written down).
    occurred_at = models.DateTimeField()
    text = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Action(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = EncryptedTextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} action due {self.due_on:%Y-%m-%d}"


class Decision(models.Model):
    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decision = EncryptedTextField()
    rationale = EncryptedTextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} decision {self.decided_at:%Y-%m-%d}"


class Referral(models.Model):
    class Agency(models.TextChoices):
        POLICE_EMERGENCY = "police_999", "Police: emergency (999)"
        POLICE = "police_101", "Police: non-emergency (101)"
        CHILDRENS_SOCIAL_CARE = (
            "childrens_social_care",
            "Children's social care or MASH",
        )
        LADO = "lado", "LADO (allegation against a worker or volunteer)"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        CEOP = "ceop", "CEOP Safety Centre"
        CHARITY_REGULATOR = (
            "charity_regulator",
            "Charity regulator: serious incident report",
        )

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(max_length=32, choices=Agency)
    made_on = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The agency's own reference number, for chasing.
    reference_number = models.CharField(max_length=64, blank=True)
    outcome = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} referral to {self.get_agency_display()}"


class Tombstone(models.Model):
    """What is left when a case is deleted: that it existed, never what it said."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=16)
    category = models.CharField(max_length=24, blank=True)
    case_created_at = models.DateTimeField()
    case_closed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(auto_now_add=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record still names who deleted it if the account goes.
    deleted_by_label = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.reference} (deleted)"


class ReportThrottle(models.Model):
    """One public submission attempt: a hash of the sender's address, never the address."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.at:%Y-%m-%d %H:%M}"
