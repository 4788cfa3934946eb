"""Header injection is refused where it comes in: the API, the form, the service.

A line break in a subject (or a name, or an address) would let a sender add
headers of their own ("Bcc: ...") and, before this was refused, stopped the
outbox for every organisation. See docs/delivery.md.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safecontact.accounts.services import create_api_key
from safecontact.contact.models import Delivery, InboundMessage, Message
from safecontact.contact.services import deliver_due, receive_inbound
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.people.tests.factories import purpose_named

INJECTED = [
    "Thursday\r\nBcc: someone@elsewhere.example",
    "Thursday\nBcc: someone@elsewhere.example",
    "Thursday\rclub",
    "Thursday\x00",
    "Thursday\x1b[2J",
    "Thursday\x85club",
    "Thursday\u2028club",
]


def _payload(family, subject):
    return {
        "recipients": [str(family.child.code)],
        "channel": "email",
        "purpose": str(purpose_named(family.child.organisation).code),
        "subject": subject,
        "body": "See you on Thursday.",
    }


@pytest.mark.parametrize("subject", INJECTED)
@pytest.mark.parametrize("path", ["/messages", "/messages/preview"])
def test_the_api_refuses_a_subject_with_a_line_break(
    client, worker, sender, family, subject, path
):
    _, key = create_api_key(actor=worker, name="test")
    response = client.post(
        f"/api/v1/contact{path}",
        _payload(family, subject),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    [words] = response.json()["details"]["subject"]
    # NUL is refused by every API input before the service sees it.
    assert "one line" in words or "NUL" in words
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_the_form_refuses_a_subject_with_a_line_break(
    client_for, worker, sender, family
):
    data = {**_payload(family, INJECTED[0]), "action": "send"}
    response = client_for(worker).post(reverse("contact:compose"), data)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Write the subject on one line" in html
    assert not Message.objects.exists()


def test_an_ordinary_subject_with_accents_and_emoji_is_accepted(worker, sender, family):
    message = send(worker, [family.child], subject="Café night 🎉 — bring a friend")
    assert message.status == Message.Status.QUEUED


def test_the_service_refuses_a_recipient_whose_name_has_a_line_break(
    worker, sender, family
):
    # Written directly, as an old import might have left it.
    family.child.last_name = "Smith\r\nBcc: someone@elsewhere.example"
    family.child.save()
    with pytest.raises(ValidationError) as refused:
        send(worker, [family.child])
    [words] = refused.value.message_dict["recipients"]
    assert "line break" in words and "\n" not in words
    assert not Message.objects.exists()


def test_the_service_refuses_a_copied_parent_whose_address_has_a_line_break(
    worker, sender, family
):
    family.parent.email = "parent@example.org\nBcc: someone@elsewhere.example"
    family.parent.save()
    with pytest.raises(ValidationError):
        send(worker, [family.child])
    assert not Message.objects.exists()


def test_the_service_refuses_to_send_from_an_organisation_name_with_a_line_break(
    worker, sender, family, org
):
    org.name = "St Mary's\r\nBcc: someone@elsewhere.example"
    org.save()
    with pytest.raises(ValidationError) as refused:
        send(worker, [family.child])
    assert "organisation's name" in refused.value.messages[0]


def test_a_reply_hiding_a_line_break_in_its_subject_is_still_copied_to_the_parent(
    worker, sender, family, smtp
):
    """Anyone can email the inbox: an encoded CR/LF in a reply's subject must
    neither stop the outbox nor lose the parent's copy."""
    send(worker, [family.child])
    deliver_due()
    raw = reply_to(smtp.mailbox.received[-1], family.child.email, "See you there")
    hidden = b"=?utf-8?q?Re=3A_Thursday=0D=0AX-Injected=3A_yes?="
    raw = raw.replace(b"Subject: Re: Thursday", b"Subject: " + hidden)
    assert receive_inbound(raw).status == InboundMessage.Status.ACCEPTED
    assert deliver_due()["sent"] == 1
    copy = smtp.mailbox.for_address(family.parent.email)[-1]
    assert copy.message["Subject"] == "Copy: Re: Thursday  X-Injected: yes"
    assert copy.message["X-Injected"] is None
    assert copy.rcpt_tos == [family.parent.email]
