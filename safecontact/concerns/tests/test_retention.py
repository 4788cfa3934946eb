from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safecontact.audittrail.models import AuditEntry
from safecontact.concerns import services
from safecontact.concerns.models import Case, Tombstone
from safecontact.concerns.retention import keep_until
from safecontact.concerns.tests.factories import make_case

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)


def _closed(org, lead, category: str) -> Case:
    case = make_case(org)
    services.triage_case(
        actor=lead, case=case, category=category, risk="low", about="unsure",
        about_user=None,
    )  # fmt: skip
    return services.close_case(actor=lead, case=case, outcome="nfa")


def test_worker_conduct_is_kept_longer_than_other_concerns():
    assert keep_until("other", START) == START.replace(year=2033)
    assert keep_until("worker_conduct", START) == START.replace(year=2036)
    assert keep_until("other", None) is None


def test_purge_is_a_dry_run_unless_applied_and_leaves_tombstones(org, lead, capsys):
    with time_machine.travel(START, tick=False):
        old = _closed(org, lead, "online_contact")
        allegation = _closed(org, lead, "worker_conduct")
        still_open = make_case(org)
    with time_machine.travel(START + datetime.timedelta(days=365 * 7 + 2), tick=False):
        call_command("purge_expired_cases")
        assert "Would delete " + old.reference in capsys.readouterr().out
        assert Case.objects.count() == 3

        call_command("purge_expired_cases", "--apply")
        assert f"Deleted {old.reference}" in capsys.readouterr().out

    remaining = set(Case.objects.values_list("reference", flat=True))
    assert remaining == {allegation.reference, still_open.reference}
    tombstone = Tombstone.objects.get()
    assert tombstone.reference == old.reference
    assert tombstone.category == "online_contact"
    assert tombstone.deleted_by is None and tombstone.deleted_by_label == "SafeContact"
    assert tombstone.reason == "Retention period ended"
    assert AuditEntry.objects.filter(
        action="delete", object_code=str(old.code)
    ).exists()


def test_nothing_is_purged_before_its_time(org, lead):
    with time_machine.travel(START, tick=False):
        _closed(org, lead, "grooming")
    with time_machine.travel(START + datetime.timedelta(days=365 * 7 - 5)):
        assert services.purge_expired_cases(apply=True) == []
    assert Case.objects.count() == 1


def test_a_deletion_needs_a_reason(org, lead):
    case = make_case(org)
    with pytest.raises(ValidationError, match="Say why"):
        services.delete_case(actor=lead, case=case, reason=" ")
    assert Case.objects.filter(pk=case.pk).exists()
