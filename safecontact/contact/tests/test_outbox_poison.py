"""One bad row never stops the outbox: it fails, plainly, and the rest go out.

The poisoned rows are written directly, as older code (before subjects with
line breaks were refused) could have left them.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from safecontact.contact.models import Delivery, Message
from safecontact.contact.services import deliver_due
from safecontact.contact.services.delivery import UNBUILDABLE, UNEXPECTED
from safecontact.contact.tests.smtp import send
from safecontact.ledger.models import LedgerEntry

INJECTED = "Thursday\r\nBcc: someone@elsewhere.example"


def _poisoned_subject(worker, family):
    message = send(worker, [family.child], subject="will be poisoned")
    Message.objects.filter(pk=message.pk).update(subject=INJECTED)
    return message.deliveries.get()


def _poisoned_address(worker, family):
    message = send(worker, [family.child])
    delivery = message.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        to=["kid@example.org\nBcc: someone@elsewhere.example"]
    )
    return delivery


def _poisoned_shape(worker, family):
    """Recipients that are not a list at all: nobody planned for this one."""
    message = send(worker, [family.child])
    delivery = message.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(to="kid@example.org")
    return delivery


POISONS = {
    "subject": (_poisoned_subject, UNBUILDABLE),
    "address": (_poisoned_address, UNBUILDABLE),
    "shape": (_poisoned_shape, UNEXPECTED),
}


def _after_a_poisoned_row(worker, family, poison):
    make, words = POISONS[poison]
    bad = make(worker, family)
    good = [send(worker, [family.child], body=f"Note {n}.") for n in range(3)]
    return bad, good, words


def _assert_only_the_bad_row_failed(bad, good, words, smtp):
    bad.refresh_from_db()
    assert bad.status == Delivery.Status.FAILED
    assert bad.last_error == words
    assert {d.status for m in good for d in m.deliveries.all()} == {"sent"}
    assert len(smtp.mailbox.received) == len(good)
    assert all(
        "elsewhere.example" not in r.data.decode() for r in smtp.mailbox.received
    )
    failed = LedgerEntry.objects.get(kind=LedgerEntry.Kind.MESSAGE_FAILED)
    assert failed.content["delivery"] == str(bad.code)


@pytest.mark.parametrize("poison", POISONS)
def test_deliver_due_fails_a_poisoned_row_and_sends_the_rest(
    worker, sender, family, smtp, poison
):
    bad, good, words = _after_a_poisoned_row(worker, family, poison)
    counts = deliver_due()
    assert counts["failed"] == 1 and counts["sent"] == len(good)
    _assert_only_the_bad_row_failed(bad, good, words, smtp)


# The command starts each round with fresh connections, as a long-running
# process should: that needs real commits, not the test's transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("poison", POISONS)
def test_run_outbox_fails_a_poisoned_row_and_sends_the_rest(
    worker, sender, family, smtp, poison
):
    bad, good, words = _after_a_poisoned_row(worker, family, poison)
    out = StringIO()
    call_command("run_outbox", "--once", stdout=out)
    assert "sent 3" in out.getvalue() and "failed 1" in out.getvalue()
    _assert_only_the_bad_row_failed(bad, good, words, smtp)


def test_a_failed_row_is_not_tried_again(worker, sender, family, smtp):
    bad = _poisoned_subject(worker, family)
    deliver_due()
    assert deliver_due()["failed"] == 0
    bad.refresh_from_db()
    assert bad.attempts == 1 and bad.status == Delivery.Status.FAILED


def test_the_sender_and_the_lead_see_why_in_plain_words(
    client_for, worker, lead, sender, family, smtp
):
    bad = _poisoned_subject(worker, family)
    deliver_due()
    mine = client_for(worker).get(bad.message.get_absolute_url()).content.decode()
    outbox = client_for(lead).get(reverse("contact:outbox")).content.decode()
    for html in (mine, outbox):
        assert "could not turn this message into an email" in html
        assert "ValueError" not in html
