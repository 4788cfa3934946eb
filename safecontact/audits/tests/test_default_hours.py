"""A group without agreed hours of its own is audited against the
organisation's default agreed hours (Settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safecontact.accounts.models import User
from safecontact.audits.tests.exports import EVENING, at, chat, write
from safecontact.audits.tests.test_group_audit import audit_of, kinds
from safecontact.groups.tests.factories import GroupFactory
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("default", "late_found"), [(EVENING, True), ([], False)])
def test_a_group_without_hours_is_judged_by_the_default_hours(
    lead: User, tmp_path: Path, default, late_found: bool
) -> None:
    org = lead.organisation
    assert org is not None
    org.default_hours = default
    org.save()
    group = GroupFactory.create(organisation=org, hours=[], platform__minimum_age=13)
    WorkerFactory.create(organisation=org, first_name="Wendy", last_name="Leader")
    text = chat(
        [
            (at(18, 5), "Wendy Leader", "Welcome everyone, see you Sunday"),
            (at(23, 30), "Wendy Leader", "Reminder about the trip tomorrow"),
        ]
    )
    audit = audit_of(lead, group, write(tmp_path / "chat.txt", text))
    assert ("out_of_hours" in kinds(audit)) is late_found
