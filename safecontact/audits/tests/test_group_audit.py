"""Auditing a group's WhatsApp export against the register (issue 11, item 3).

Each finding kind is a rule of the audit; the test names carry it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from safecontact.accounts.models import User
from safecontact.audits import services
from safecontact.audits.models import AuditFinding, GroupAudit, SeenMessage
from safecontact.audits.tests.exports import at, chat, sealed, write, write_zip
from safecontact.groups.models import Group
from safecontact.people.tests.factories import (
    ChildFactory,
    ParentFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db


def audit_of(lead: User, group: Group, path: Path) -> GroupAudit:
    audit = services.start_audit(
        actor=lead, group=group, upload=sealed(path), file_name=path.name
    )
    finished = services.run_audit(audit.pk)
    assert finished is not None
    return finished


def kinds(audit: GroupAudit) -> dict[str, list[AuditFinding]]:
    found: dict[str, list[AuditFinding]] = {}
    for finding in audit.findings.all():
        found.setdefault(finding.kind, []).append(finding)
    return found


def test_unknown_adult_and_out_of_hours_are_found(
    lead: User, group: Group, tmp_path: Path
) -> None:
    WorkerFactory.create(
        organisation=group.organisation, first_name="Wendy", last_name="Leader"
    )
    text = chat(
        [
            (at(18, 5), "Wendy Leader", "Welcome everyone, see you Sunday"),
            (at(18, 6), "Stranger Danger", "hi all"),
            (at(23, 30), "Wendy Leader", "Reminder about the trip tomorrow"),
        ]
    )
    audit = audit_of(lead, group, write(tmp_path / "chat.txt", text))

    assert audit.status == GroupAudit.Status.DONE
    found = kinds(audit)
    assert [f.sender for f in found["unknown_adult"]] == ["Stranger Danger"]
    (late,) = found["out_of_hours"]
    assert late.sender == "Wendy Leader" and late.count == 1
    assert "23:30" in json.loads(late.detail)["lines"][0]["at"]
    assert audit.messages_read == audit.messages_new == 3


def test_former_worker_unchecked_worker_under_age_and_unknown_number(
    lead: User, group: Group, tmp_path: Path
) -> None:
    org = group.organisation
    WorkerFactory.create(
        organisation=org, first_name="Fred", last_name="Gone", left=True
    )
    WorkerFactory.create(
        organisation=org, first_name="Una", last_name="Checked", vetting="missing"
    )
    ChildFactory.create(
        organisation=org,
        first_name="Kit",
        last_name="Young",
        phone="07700 900111",
        date_of_birth=at(0).date().replace(year=2016),
    )
    ParentFactory.create(organisation=org, first_name="Pat", last_name="Parent")
    text = chat(
        [
            (at(18, 1), "Fred Gone", "still here"),
            (at(18, 2), "Una Checked", "hello"),
            (at(18, 3), "+44 7700 900111", "hiya"),
            (at(18, 4), "+44 7700 900999", "who is this group"),
            (at(18, 5), "Pat Parent", "thanks"),
        ]
    )
    found = kinds(audit_of(lead, group, write(tmp_path / "chat.txt", text)))

    assert [f.sender for f in found["former_worker"]] == ["Fred Gone"]
    assert [f.sender for f in found["unchecked_worker"]] == ["Una Checked"]
    assert [f.sender for f in found["under_age"]] == ["+44 7700 900111"]
    assert [f.sender for f in found["unknown_number"]] == ["+44 7700 900999"]
    assert [f.sender for f in found["unchecked_adult"]] == ["Pat Parent"]


def test_one_to_one_between_a_worker_and_a_child_is_found(
    lead: User, group: Group, tmp_path: Path
) -> None:
    org = group.organisation
    WorkerFactory.create(organisation=org, first_name="Wendy", last_name="Leader")
    ChildFactory.create(organisation=org, first_name="Kit", last_name="Young")
    text = chat([(at(18, 1), "Wendy Leader", "hi Kit"), (at(18, 2), "Kit Young", "hi")])
    found = kinds(audit_of(lead, group, write(tmp_path / "chat.txt", text)))
    assert len(found["one_to_one"]) == 1


def test_scanner_findings_keep_the_lines_around_them(
    lead: User, group: Group, tmp_path: Path
) -> None:
    rows = [(at(18, n), "Sam Someone", f"ordinary line {n}") for n in range(5)]
    rows.insert(
        2, (at(18, 30), "Sam Someone", "this is our little secret, don't tell your mum")
    )
    rows.insert(4, (at(18, 40), "Sam Someone", "call me on 07700 900456"))
    found = kinds(audit_of(lead, group, write(tmp_path / "chat.txt", chat(rows))))

    (secret,) = found["scanner"]
    lines = json.loads(secret.detail)["lines"]
    assert [line["hit"] for line in lines] == [False, False, True, False, False]
    assert "secret" in lines[2]["text"]
    assert found["personal_details"]
    assert found["sender_risk"][0].sender == "Sam Someone"


def test_a_later_export_only_adds_what_is_new(
    lead: User, group: Group, tmp_path: Path
) -> None:
    first = [(at(18, n), "Sam Someone", f"line {n}") for n in range(3)]
    audit_of(lead, group, write(tmp_path / "one.txt", chat(first)))
    later = [*first, (at(19, 0), "Sam Someone", "a new line")]
    audit = audit_of(
        lead, group, write_zip(tmp_path / "two.zip", chat(later, "iphone"))
    )

    assert (audit.messages_read, audit.messages_new) == (4, 1)
    assert SeenMessage.objects.filter(group=group).count() == 4


def test_contents_are_encrypted_at_rest(
    lead: User, group: Group, tmp_path: Path
) -> None:
    text = chat([(at(23, 0), "Stranger Danger", "a message only the Lead may read")])
    audit = audit_of(lead, group, write(tmp_path / "chat.txt", text))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender, detail FROM audits_auditfinding")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert audit.findings.exists()
    assert "Stranger" not in stored and "only the Lead" not in stored


def test_only_leads_and_deputies_start_an_audit(
    worker: User, group: Group, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied):
        services.start_audit(
            actor=worker,
            group=group,
            upload=sealed(write(tmp_path / "chat.txt", chat([(at(18), "A", "b")]))),
            file_name="chat.txt",
        )


def test_the_upload_is_deleted_once_read(
    lead: User, group: Group, tmp_path: Path
) -> None:
    audit = services.start_audit(
        actor=lead,
        group=group,
        upload=sealed(write(tmp_path / "chat.txt", chat([(at(18), "A", "b")]))),
        file_name="chat.txt",
    )
    stored = Path(audit.upload_path)
    assert stored.is_file()
    services.run_audit(audit.pk)
    assert not stored.exists()
