from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from safecontact.concerns import services
from safecontact.concerns.crypto import decrypt_bytes
from safecontact.concerns.models import Attachment, Case, ChronologyEntry, Decision
from safecontact.concerns.rotation import rotate_case_keys
from safecontact.concerns.tests.factories import NARRATIVE, make_case, png_bytes

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_database_holds_no_readable_case_narrative(org, lead):
    make_case(
        org,
        anonymous=False,
        reporter_name="Robin Reporter",
        reporter_contact="robin@example.org",
        about_description="Zed from the games chat",
    )
    stored = _raw("concerns_case", "narrative")
    assert stored and all(NARRATIVE not in value for value in stored)
    assert all(value.startswith("gAAAA") for value in stored)
    for column in ("reporter_name", "reporter_contact", "about_description"):
        (value,) = _raw("concerns_case", column)
        assert "Robin" not in value and "robin@" not in value and "Zed" not in value
    assert Case.objects.get().narrative == NARRATIVE


def test_chronology_and_decisions_are_encrypted_at_rest(org, lead):
    case = make_case(org)
    services.add_chronology_entry(actor=lead, case=case, text="Phoned Sam's mother")
    services.record_decision(
        actor=lead, case=case, decision="Refer to CEOP", rationale="Sexual request"
    )
    assert not any(
        "Sam's mother" in v for v in _raw("concerns_chronologyentry", "text")
    )
    assert not any("Sexual" in v for v in _raw("concerns_decision", "rationale"))
    assert (
        ChronologyEntry.objects.filter(kind="manual").get().text
        == "Phoned Sam's mother"
    )
    assert Decision.objects.get().rationale == "Sexual request"


def test_screenshots_are_encrypted_at_rest(org):
    make_case(org, images=1)
    stored = bytes(Attachment.objects.values_list("data", flat=True).get())
    assert not stored.startswith(b"\x89PNG")
    assert decrypt_bytes(stored).startswith(b"\x89PNG")
    assert png_bytes() == decrypt_bytes(stored)


def test_audit_entries_hold_no_case_content(org, lead):
    from safecontact.audittrail.models import AuditEntry

    case = make_case(org, anonymous=False, reporter_contact="robin@example.org")
    services.record_decision(actor=lead, case=case, decision="D1", rationale="R-secret")
    text = str(list(AuditEntry.objects.values("before", "after", "object_label")))
    assert "games chat" not in text and "robin@" not in text and "R-secret" not in text


def test_rotating_keys_reencrypts_everything_with_the_newest_key(org, lead, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    case = make_case(org, images=1)
    services.record_decision(actor=lead, case=case, decision="D", rationale="R")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]

    counts = rotate_case_keys(apply=False)
    assert counts["concerns.Case"] == 1 and counts["concerns.Attachment"] == 1
    assert rotate_case_keys(apply=True)["concerns.Decision"] == 1
    assert not any(rotate_case_keys(apply=False).values())

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone: still readable
    case = Case.objects.get()
    assert case.narrative == NARRATIVE
    assert decrypt_bytes(case.attachments.get().data).startswith(b"\x89PNG")
    assert Decision.objects.get().rationale == "R"


def test_rotate_command_is_a_dry_run_unless_told(org, settings, capsys):
    from django.core.management import call_command

    make_case(org)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    call_command("rotate_case_keys")
    out = capsys.readouterr().out
    assert "Still on an older key: 1 concerns.Case" in out and "--apply" in out
    call_command("rotate_case_keys", "--apply")
    assert "Re-encrypted: 1 concerns.Case" in capsys.readouterr().out
