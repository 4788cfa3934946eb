"""Reads for the audit pages: everything from the chat is decrypted here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from safecontact.audits.models import AuditFinding, GroupAudit


def audits_for(organisation: Any) -> QuerySet[GroupAudit]:
    return GroupAudit.objects.filter(organisation=organisation).select_related(
        "group", "uploaded_by"
    )


@dataclass(frozen=True)
class Shown:
    """A finding ready for the page."""

    finding: AuditFinding
    summary: str
    lines: list[dict[str, Any]]
    next_step: str


def shown(finding: AuditFinding) -> Shown:
    """One finding with its summary and the chat's lines, decrypted."""
    detail = json.loads(finding.detail or "{}")
    return Shown(
        finding=finding,
        summary=detail.get("summary", ""),
        lines=detail.get("lines", []),
        next_step=detail.get("next_step", ""),
    )


def shown_findings(audit: GroupAudit) -> list[tuple[str, list[Shown]]]:
    """The audit's findings by kind, in the order the page shows them."""
    by_kind: dict[str, list[Shown]] = {kind: [] for kind in AuditFinding.Kind.values}
    for finding in audit.findings.select_related("person", "case", "alert"):
        by_kind[finding.kind].append(shown(finding))
    return [
        (AuditFinding.Kind(kind).label, shown)
        for kind, shown in by_kind.items()
        if shown
    ]


def attention_findings(organisation: Any) -> QuerySet[AuditFinding]:
    """Findings the Lead put on the attention list, not yet dealt with."""
    return AuditFinding.objects.filter(
        audit__organisation=organisation, on_attention_list=True
    ).select_related("audit__group", "person")
