"""A finished audit with one finding, for tests that need one without a file."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.groups.models import Group


def finished_audit(
    group: Group, uploaded_by: User | None = None, sender: str = "Sweep Stranger"
) -> GroupAudit:
    audit = GroupAudit.objects.create(
        organisation=group.organisation,
        group=group,
        uploaded_by=uploaded_by,
        file_name="chat.txt",
        status=GroupAudit.Status.DONE,
        messages_read=1,
        messages_new=1,
        keep_until=timezone.now() + dt.timedelta(days=365),
    )
    AuditFinding.objects.create(
        audit=audit,
        kind=AuditFinding.Kind.UNKNOWN_ADULT,
        severity=2,
        sender=sender,
        detail=json.dumps({"summary": "Not in the register.", "lines": []}),
    )
    return audit
