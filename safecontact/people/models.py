"""The register: people, workers' checks and training, relationships, consent.

A ``Person`` is somebody the organisation holds a record of; most never log in
(children especially). A worker who logs in has a ``User`` linked to their Person.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from safeguarding import policy
from safeguarding.policy import ConsentState, age_on, consent_state


class Person(models.Model):
    class Kind(models.TextChoices):
        WORKER = "worker", "Worker or volunteer"
        CHILD = "child", "Child or young person"
        ADULT_AT_RISK = "adult_at_risk", "Adult at risk"
        PARENT = "parent", "Parent or carer"
        OTHER_ADULT = "other_adult", "Other adult"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "SafeContact inbox"
        PHONE = "phone", "Phone or text"
        PLATFORM = "platform", "Group platform"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="people"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=Kind)
    date_of_birth = models.DateField(null=True, blank=True)
    # Contact points held by the organisation: shown only to roles that need them.
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    accessibility_needs = models.TextField(blank=True)
    preferred_channel = models.CharField(
        max_length=16, choices=Channel, default=Channel.EMAIL
    )
    # Accessibility preferences delivery honours (safeguarding.policy.routing):
    # emails with a large-print version, or plain text only (which wins).
    large_print = models.BooleanField(default=False)
    plain_text_email = models.BooleanField(default=False)
    # Someone the person asked to be copied into what they are sent (an adult
    # at risk's advocate or carer); the policy engine decides when.
    supporter = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supporting",
    )
    # The id in the system a CSV import came from, so re-import updates the same record.
    external_ref = models.CharField(max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="person_unique_external_ref",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "kind"]),
            # The register lists one organisation's people by name, a page at a time.
            models.Index(
                fields=["organisation", "last_name", "first_name"],
                name="person_org_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.code])

    def age(self, day: datetime.date) -> int | None:
        return None if self.date_of_birth is None else age_on(self.date_of_birth, day)


class WorkerProfile(models.Model):
    class Employment(models.TextChoices):
        STAFF = "staff", "Staff"
        VOLUNTEER = "volunteer", "Volunteer"

    class WorksWith(models.TextChoices):
        CHILDREN = "children", "Children and young people"
        ADULTS = "adults", "Adults at risk"
        BOTH = "both", "Both"

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="worker"
    )
    employment = models.CharField(max_length=16, choices=Employment)
    role_title = models.CharField(max_length=100, blank=True)
    works_with = models.CharField(
        max_length=16, choices=WorksWith, default=WorksWith.BOTH
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # A named supervisor is copied into one-to-one contact with adults at risk.
    named_supervisor = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="worker_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_employment_display()})"

    def is_active(self, day: datetime.date) -> bool:
        return self.start_date <= day and (
            self.end_date is None or self.end_date >= day
        )


class VettingCheck(models.Model):
    """A DBS (criminal record) check; the newest one counts, older ones are history."""

    class Level(models.TextChoices):
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        ENHANCED = "enhanced", "Enhanced"
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with barred list"

    class Workforce(models.TextChoices):
        CHILDREN = "children", "Children's workforce"
        ADULTS = "adults", "Adults' workforce"
        BOTH = "both", "Children's and adults' workforce"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="vetting_checks"
    )
    level = models.CharField(max_length=16, choices=Level)
    # The workforce named on the DBS application: a check for the children's
    # workforce does not clear contact with adults at risk, and the reverse.
    workforce = models.CharField(
        max_length=16, choices=Workforce, default=Workforce.BOTH
    )
    certificate_date = models.DateField()
    # Evidence: certificate number; visible only to Leads and trustees.
    certificate_number = models.CharField(max_length=32, blank=True)
    # Subscribed to the DBS Update Service, so the check is kept current.
    update_service = models.BooleanField(default=False)
    # Overrides the organisation's renewal period when set.
    renewal_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-certificate_date", "-recorded_at"]
        indexes = [
            # A person's newest check, found without sorting (the attention list
            # and the register's clearance ask for it row by row).
            models.Index(
                "person",
                models.F("certificate_date").desc(),
                models.F("recorded_at").desc(),
                models.F("id").desc(),
                name="vetting_newest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} DBS, {self.certificate_date:%d %b %Y}"


class Training(models.Model):
    class Level(models.TextChoices):
        FOUNDATION = "foundation", "Foundation (level 1)"
        ADVANCED = "advanced", "Advanced (level 2)"
        LEADERSHIP = "leadership", "Leadership (level 3)"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="training"
    )
    level = models.CharField(max_length=16, choices=Level)
    completed_on = models.DateField()
    expires_on = models.DateField()
    provider = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} safeguarding training, {self.completed_on:%d %b %Y}"


class Relationship(models.Model):
    """A parent or carer of a child (or of an adult at risk)."""

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    carer = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="cares_for"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="carers")
    relationship = models.CharField(max_length=50, default="parent")
    parental_responsibility = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["carer", "person"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(carer=models.F("person")),
                name="relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carer} is {self.relationship} of {self.person}"


class Consent(models.Model):
    """One consent record. History is append-only: withdrawal is a new record.

    The newest record for a person is the one in force.
    """

    class Kind(models.TextChoices):
        PARENTAL = "parental", "Parental consent for a child"
        ADULT = "adult", "Adult's own consent"

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Capacity(models.TextChoices):
        HAS_CAPACITY = "has_capacity", "Has capacity to decide"
        NEEDS_SUPPORT = "needs_support", "Decides with support"
        BEST_INTERESTS = "best_interests", "Best-interests decision"

    class Evidence(models.TextChoices):
        FORM = "form", "Signed form"
        EMAIL = "email", "Email"
        ONLINE = "online", "Online form"
        VERBAL = "verbal", "Verbal, noted by a worker"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    status = models.CharField(max_length=16, choices=Status, default=Status.GIVEN)
    # Parental consent: the parent or carer who gave it.
    given_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents_given",
    )
    channels = models.JSONField(default=list)  # Person.Channel values
    # The purposes of contact this consent allows, from the organisation's list.
    purposes = models.ManyToManyField(
        "groups.Purpose", blank=True, related_name="consents"
    )
    groups = models.ManyToManyField("groups.Group", blank=True, related_name="consents")
    # The platforms contact may use (the parent's choice); none named means
    # not limited (platform.consented).
    platforms = models.ManyToManyField(
        "groups.Platform", blank=True, related_name="consents"
    )
    # Agreed hours: [{"day": 0-6 (Mon=0), "start": "18:00", "end": "20:00"}].
    hours = models.JSONField(default=list)
    allowed_roles = models.JSONField(
        default=list
    )  # WorkerProfile roles, or ["any_worker"]
    allowed_workers = models.ManyToManyField(Person, blank=True, related_name="+")
    expires_on = models.DateField(null=True, blank=True)
    # Adults at risk.
    capacity = models.CharField(max_length=16, choices=Capacity, blank=True)
    best_interests_by = models.CharField(max_length=200, blank=True)
    accessibility = models.TextField(blank=True)
    evidence = models.CharField(max_length=16, choices=Evidence)
    evidence_date = models.DateField()
    notes = models.TextField(blank=True)
    # Photo consent: whether pictures of the person may be shared (None: not
    # asked), and where (the newsletter, the website ...).
    photos_allowed = models.BooleanField(null=True, blank=True)
    photos_where = models.CharField(max_length=300, blank=True)
    # Online consent: the code of the family link it was given through (the
    # evidence of who gave it; the token itself is never stored).
    online_link = models.UUIDField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The record this one replaces (a renewal, a change or a withdrawal).
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(
                    kind="parental", status="given", given_by__isnull=True
                ),
                name="parental_consent_names_parent",
            )
        ]
        indexes = [
            # A person's newest consent (the one in force), without sorting.
            models.Index(
                "subject",
                models.F("recorded_at").desc(),
                models.F("id").desc(),
                name="consent_newest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.subject} ({self.get_status_display()})"

    def state(self, day: datetime.date) -> ConsentState:
        """This record's state on ``day`` (the one definition is the core's)."""
        return consent_state(self.facts(), day)

    def is_current(self, day: datetime.date) -> bool:
        return self.state(day) is ConsentState.CURRENT

    def facts(self) -> policy.Consent:
        """What decides whether it is in force, as the policy core's value."""
        return policy.Consent(
            kind=policy.ConsentKind(self.kind),
            given_on=self.evidence_date,
            expires_on=self.expires_on,
            withdrawn=self.status == self.Status.WITHDRAWN,
        )


class PersonState(models.Model):
    """Which of a person's records count today, kept up to date by the
    services that write them (``people.state``): the newest consent, the
    newest DBS check and the date the longest training lasts until.

    Facts only: whether the consent is current or the check in date is still
    decided at read time from the rows these point to. Lists across the whole
    register join this row instead of finding "the newest per person" in the
    history for every row. ``rebuild_person_states`` recomputes it.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    consent = models.ForeignKey(
        Consent, null=True, on_delete=models.SET_NULL, related_name="newest_for"
    )
    vetting = models.ForeignKey(
        VettingCheck, null=True, on_delete=models.SET_NULL, related_name="newest_for"
    )
    # The latest expiry of any training recorded (the course that counts).
    training_until = models.DateField(null=True)

    def __str__(self) -> str:
        return f"State of {self.person}"
