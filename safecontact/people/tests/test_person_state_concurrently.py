"""Two writes for one person at once leave the stored state right.

A membership stores the days its newest consent is in force, and each
person's state row their newest consent, check and training: facts read from
the records when written. On PostgreSQL two transactions could each store
what they read before the other committed (a withdrawal while someone joins a
group; training and a DBS check at once); ``state.lock`` makes the second wait.
SQLite's writers already take turns (IMMEDIATE transactions).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.contact.tests.conftest import make_family
from safecontact.groups import services as groups
from safecontact.groups.models import GroupMember
from safecontact.groups.tests.factories import GroupFactory
from safecontact.lib.dates import org_today
from safecontact.people import services, state
from safecontact.people.models import Consent
from safecontact.people.selectors import attention
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with IMMEDIATE transactions; the race is PostgreSQL's",
)

PAUSE = 0.5  # long enough for the other write to commit, were it not held


def _both(first: Callable[[], Any], second: Callable[[], Any], pause: Any) -> None:
    """Run ``first`` in one thread, paused by ``pause`` after it has read,
    and ``second`` in another once that read is done."""
    read, errors = threading.Event(), []

    def run(work: Callable[[], Any], wait: threading.Event | None) -> None:
        try:
            if wait is not None:
                wait.wait(10)
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    pause(read)
    threads = [
        threading.Thread(target=run, args=(first, None)),
        threading.Thread(target=run, args=(second, read)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_a_consent_withdrawn_while_a_child_joins_a_group_reaches_the_membership(
    transactional_db, monkeypatch
):
    org = OrganisationFactory.create()
    lead = UserFactory.create(role="lead", organisation=org)
    child = make_family(org).child
    group = GroupFactory.create(organisation=org)
    real = state.member_facts

    def pause(read: threading.Event) -> None:
        def facts(person_id: int, group_id: int) -> dict[str, Any]:
            found = real(person_id, group_id)
            read.set()
            time.sleep(PAUSE)  # the withdrawal runs now
            return found

        monkeypatch.setattr(state, "member_facts", facts)

    _both(
        lambda: groups.record_existing_member(actor=lead, group=group, person=child),
        lambda: services.withdraw_consent(
            actor=lead,
            subject=child,
            evidence=Consent.Evidence.FORM,
            evidence_date=org_today(org),
        ),
        pause,
    )
    member = GroupMember.objects.get(group=group, person=child)
    assert member.consent_from is None
    assert state.stale(org) == []
    assert attention.counts(org, org_today(org))["consent"] == 1


def test_training_and_a_dbs_check_recorded_at_once_both_reach_the_state_row(
    transactional_db, monkeypatch
):
    org = OrganisationFactory.create()
    lead = UserFactory.create(role="lead", organisation=org)
    worker = WorkerFactory.create(organisation=org)
    today = org_today(org)
    real = state.computed

    def pause(read: threading.Event) -> None:
        def computed(batch: Any, models: Any = state.LIVE) -> Any:
            found = real(batch, models)
            if not read.is_set():
                read.set()
                time.sleep(PAUSE)  # the other record is written now
            return found

        monkeypatch.setattr(state, "computed", computed)

    _both(
        lambda: services.record_training(
            actor=lead, person=worker, level="foundation", completed_on=today
        ),
        lambda: services.record_vetting_check(
            actor=lead,
            person=worker,
            level="enhanced_barred",
            certificate_number="001234567890",
            certificate_date=today,
        ),
        pause,
    )
    assert state.stale(org) == []
