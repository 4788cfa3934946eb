"""The append-only record of every change to a register record."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the trail still names the actor if the account goes.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=Action)
    model = models.CharField(max_length=100)  # "people.person"
    object_code = models.CharField(max_length=64, db_index=True)
    object_label = models.CharField(max_length=300)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set on every entry about a concern or case (the case, its shares,
    # chronology, decisions, referrals, attachments, views and exports). Such
    # entries never appear on the general audit trail: only those allowed to
    # see the case read them, on the case's own page (docs/audit-trail.md).
    case_code = models.UUIDField(null=True, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # The general trail, newest first, without sorting the table.
            models.Index(
                "organisation",
                models.F("at").desc(),
                models.F("id").desc(),
                name="audit_general_newest",
                condition=models.Q(case_code__isnull=True),
            ),
            models.Index(fields=["case_code", "at"], name="audit_case_history"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")
