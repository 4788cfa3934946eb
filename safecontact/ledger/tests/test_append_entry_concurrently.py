from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import verify_chain
from safecontact.ledger.services import append_entry

THREADS = 8
EACH = 25


def _sender(
    organisation_pk: int, start: threading.Barrier, errors: list[BaseException]
) -> None:
    from safecontact.accounts.models import Organisation

    try:
        organisation = Organisation.objects.get(pk=organisation_pk)
        start.wait()
        for n in range(EACH):
            with transaction.atomic(durable=True):
                append_entry(
                    organisation=organisation,
                    kind="message.attempt",
                    content={"thread": threading.get_ident(), "n": n},
                )
    except BaseException as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with IMMEDIATE transactions; the race is PostgreSQL's",
)
def test_eight_concurrent_senders_leave_one_valid_chain(transactional_db):
    # A brand-new organisation, so the threads also race to create the chain head.
    organisation = OrganisationFactory.create()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_sender, args=(organisation.pk, start, errors))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    seqs = list(
        LedgerEntry.objects.filter(organisation=organisation)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, THREADS * EACH + 1))
    status = verify_chain(organisation)
    assert status.ok, status.describe()
    assert status.result.checked_count == THREADS * EACH
