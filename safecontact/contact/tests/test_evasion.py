# ruff: noqa: RUF001 (look-alike letters are what these tests are about)
"""Disguised grooming text is held like its plain form (issue 14, item 3).

Through the real send service: the plain message is held by rule
``content.hold``, every disguised version of it is held too with the
original words as evidence, and invisible or direction-changing characters
inside words are a finding of their own, ``evasion.hidden_characters``.
An ordinary message with an emoji sequence still goes out over real SMTP.
"""

from __future__ import annotations

import pytest

from safecontact.contact.models import Message
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.smtp import send as _send

PLAIN = "don't tell your mum, send me a pic"
DISGUISED = {
    "zero-width characters": "don't te\u200bll your mum, se\u200dnd me a p\u200bic",
    "leetspeak": "d0nt t3ll ur mum, s3nd m3 a p1c",
    "fullwidth": "ｄｏｎ'ｔ ｔｅｌｌ ｙｏｕｒ ｍｕｍ, ｓｅｎｄ ｍｅ ａ ｐｉｃ",
    "Cyrillic look-alikes": "dоn't tеll yоur mum, ѕеnd mе а рiс",
    "spaced letters": "d o n t  t e l l  y o u r  m u m, s e n d  m e  a  p i c",
    "repeated letters": "dooont telll your muuum, seeeend me a piiic",
    "curly apostrophe": "don’t tell your mum, send me a pic",
}


def _findings(message: Message) -> dict[str, str]:
    alert = message.alerts.get()
    return {f["indicator"]: f["evidence"] for f in alert.findings}


def test_plain_grooming_text_is_held(worker, sender, family, lead):
    message = _send(worker, [family.child], body=PLAIN)
    assert message.status == Message.Status.HELD
    assert "content.hold" in [r["rule_id"] for r in message.reasons]
    assert {"grooming.secrecy", "grooming.image_request"} <= set(_findings(message))


@pytest.mark.parametrize("body", DISGUISED.values(), ids=DISGUISED.keys())
def test_disguised_grooming_text_is_held_too(worker, sender, family, lead, body):
    message = _send(worker, [family.child], body=body)
    assert message.status == Message.Status.HELD, message.reasons
    assert "content.hold" in [r["rule_id"] for r in message.reasons]
    found = _findings(message)
    assert {"grooming.secrecy", "grooming.image_request"} <= set(found)
    assert all(evidence in body for evidence in found.values())
    assert not message.deliveries.exists()


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        ("See you at youth club on Thur\u200dsday at 7.", "Thur\u200dsday"),
        ("See you at youth club \u202eyadsruhT at 7.", "\u202eyadsruhT"),
    ],
    ids=["zero-width joiner", "right-to-left override"],
)
def test_hidden_characters_are_flagged_and_held(
    worker, sender, family, lead, body, evidence
):
    message = _send(worker, [family.child], body=body)
    assert message.status == Message.Status.HELD
    assert "content.hold" in [r["rule_id"] for r in message.reasons]
    assert _findings(message) == {"evasion.hidden_characters": evidence}
    [finding] = message.alerts.get().findings
    assert "invisible characters" in finding["explanation"]


def test_hidden_characters_below_the_threshold_are_shown_but_not_held(
    worker, sender, family, org
):
    org.content_hold_threshold = 3  # hold only high findings
    org.save()
    message = _send(worker, [family.child], body="See you on Thur\u200bsday at 7.")
    assert message.status == Message.Status.QUEUED
    indicators = [f["indicator"] for f in message.decision["findings"]]
    assert indicators == ["evasion.hidden_characters"]


def test_an_ordinary_message_with_emoji_goes_out(worker, sender, family, smtp):
    body = "See you at youth club on Thursday at 7 👨‍👩‍👧 ❤️"
    message = _send(worker, [family.child], body=body)
    assert message.status == Message.Status.QUEUED, message.reasons
    assert deliver_due()["sent"] == 1
    [received] = smtp.mailbox.received
    assert "👨‍👩‍👧" in received.message.get_content()
