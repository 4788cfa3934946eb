"""The audit pages: upload, progress, report, acting on findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from safecontact.accounts.models import User
from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.audits.tasks import audit_export
from safecontact.audits.tests.exports import at, chat
from safecontact.audits.tests.factories import finished_audit
from safecontact.audittrail.models import AuditEntry
from safecontact.concerns.models import Case
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupFactory
from safecontact.people.selectors.attention import attention_items

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]
TEXT = chat(
    [(at(18, 1), "Stranger Danger", "hi"), (at(23, 0), "Stranger Danger", "late")]
)


def upload(client: Client, group: Group, data: bytes, name: str = "chat.txt") -> Any:
    return client.post(
        reverse("audits:upload"),
        {"group": str(group.code), "export": SimpleUploadedFile(name, data)},
    )


def test_an_upload_runs_in_the_background_and_shows_its_report(
    lead: User,
    group: Group,
    client_for: Clients,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, group, TEXT.encode())
    audit = GroupAudit.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    waiting = client.get(audit.get_absolute_url())
    assert waiting["Refresh"] == "2" and b"<progress" in waiting.content
    still = client.get(audit.get_absolute_url(), {"still": "1"})
    assert not still.has_header("Refresh")

    # The upload queued the task; run it here (db_worker runs it in production,
    # and in the browser test).
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [audit.pk]
    audit_export.func(audit.pk)

    page = client.get(audit.get_absolute_url())
    assert not page.has_header("Refresh")
    assert b"Stranger Danger" in page.content
    assert b"Someone not in the register" in page.content
    assert b"Messages outside agreed hours" in page.content
    assert AuditEntry.objects.filter(
        object_code=str(audit.code), action="view"
    ).exists()


def test_a_bad_file_gets_a_clear_message_and_nothing_is_saved(
    lead: User, group: Group, client_for: Clients
) -> None:
    response = upload(client_for(lead), group, b"\x89PNG\r\n\x1a\n" + bytes(300))
    assert response.status_code == HTTPStatus.OK
    assert "a PNG image" in response.content.decode()
    assert not GroupAudit.objects.exists()


def test_an_export_over_the_limit_is_refused_with_413(
    lead: User, group: Group, client_for: Clients, settings: Any
) -> None:
    settings.AUDIT_UPLOAD_MAX_BYTES = 1000
    response = upload(client_for(lead), group, TEXT.encode() * 100)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "too large" in response.content.decode()
    assert not GroupAudit.objects.exists()


def test_an_export_bigger_than_other_uploads_is_accepted(
    lead: User, group: Group, client_for: Clients, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = upload(client_for(lead), group, TEXT.encode() * 100)
    assert response.status_code == HTTPStatus.FOUND
    assert GroupAudit.objects.count() == 1


def test_another_organisations_group_cannot_be_chosen(
    lead: User, other_org: Any, client_for: Clients
) -> None:
    theirs = GroupFactory.create(organisation=other_org)
    response = upload(client_for(lead), theirs, TEXT.encode())
    assert response.status_code == HTTPStatus.OK
    assert not GroupAudit.objects.exists()


def test_another_organisations_audit_is_a_404(
    lead: User, other_org: Any, client_for: Clients
) -> None:
    audit = finished_audit(GroupFactory.create(organisation=other_org))
    client = client_for(lead)
    assert client.get(audit.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    finding = audit.findings.get()
    url = reverse("audits:concern", args=[finding.code])
    assert client.post(url).status_code == HTTPStatus.NOT_FOUND


def test_workers_and_trustees_cannot_see_audits(
    worker: User, trustee: User, group: Group, client_for: Clients
) -> None:
    audit = finished_audit(group)
    for user in (worker, trustee):
        response = client_for(user).get(audit.get_absolute_url())
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_finding_becomes_a_concern_in_one_click(
    lead: User, group: Group, client_for: Clients
) -> None:
    finding = finished_audit(group).findings.get()
    client = client_for(lead)
    response = client.post(reverse("audits:concern", args=[finding.code]))
    case = Case.objects.get()
    assert response["Location"] == reverse("concerns:detail", args=[case.code])
    assert "Sweep Stranger" in case.narrative
    again = client.post(reverse("audits:concern", args=[finding.code]))
    assert again.status_code == HTTPStatus.FOUND and Case.objects.count() == 1


def test_a_finding_goes_on_and_off_the_attention_list(
    lead: User, group: Group, client_for: Clients
) -> None:
    finding = finished_audit(group).findings.get()
    client = client_for(lead)
    url = reverse("audits:attention", args=[finding.code])
    client.post(url)
    items = [
        i
        for i in attention_items(group.organisation, at(12).date())
        if i.category == "group_audit"
    ]
    assert len(items) == 1
    page = client.get(reverse("people:attention"))
    assert "Found in audits of group chats" in page.content.decode()
    client.post(url, {"remove": "1"})
    finding.refresh_from_db()
    assert not finding.on_attention_list


def test_a_stalled_audit_can_be_started_again(
    lead: User, group: Group, client_for: Clients, tmp_path: Path
) -> None:
    audit = finished_audit(group)
    GroupAudit.objects.filter(pk=audit.pk).update(status=GroupAudit.Status.RUNNING)
    client = client_for(lead)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)):
        page = client.get(audit.get_absolute_url())
        assert b"Start the audit again" in page.content
        client.post(reverse("audits:restart", args=[audit.code]))
    audit.refresh_from_db()
    assert audit.status == GroupAudit.Status.QUEUED


def test_purge_is_a_dry_run_unless_told(lead: User, group: Group) -> None:
    audit = finished_audit(group)
    GroupAudit.objects.filter(pk=audit.pk).update(
        keep_until=at(0).replace(tzinfo=dt.UTC)
    )
    call_command("purge_group_audits", verbosity=0)
    assert GroupAudit.objects.filter(pk=audit.pk).exists()
    call_command("purge_group_audits", "--apply", verbosity=0)
    assert not GroupAudit.objects.exists() and not AuditFinding.objects.exists()


def test_html_in_the_chat_is_shown_as_text_never_run(
    lead: User, group: Group, client_for: Clients
) -> None:
    text = chat([(at(23, 0), "<b>Bold</b> Visitor", "<script>alert(1)</script> hi")])
    client = client_for(lead)
    upload(client, group, text.encode())
    audit = GroupAudit.objects.get()
    audit_export.func(audit.pk)
    finding = audit.findings.filter(kind=AuditFinding.Kind.OUT_OF_HOURS).get()
    alert = client.post(reverse("audits:alert", args=[finding.code]))
    for url in (audit.get_absolute_url(), alert["Location"]):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<b>Bold" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; hi" in page
