"""Hypothesis against inbound mail: any bytes are parsed or quarantined with a
reason, and receiving them records exactly one InboundMessage, never raises,
and saves a Message only when the mail is accepted (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecontact.accounts.models import Organisation
from safecontact.contact.models import InboundMessage, Message
from safecontact.contact.services import inbound, receive_inbound
from safecontact.contact.tests.conftest import Family
from safecontact.tests.fuzzing import fuzz

text = st.text(max_size=30)
odd = st.one_of(
    text,
    st.sampled_from(["\x00", "a\x00b", "=?utf-8?b?AA==?=", "\r\n", "\udcff", "\ufeff"]),
)
header_names = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References",
     "Content-Type", "Content-Transfer-Encoding", "Delivered-To", "X-Odd"]
)  # fmt: skip
content_types = st.sampled_from(
    ["text/plain", "text/plain; charset=nonsense", "text/html",
     "multipart/alternative; boundary=b", "multipart/mixed; boundary=b",
     "application/octet-stream", "text/plain; charset=utf-16"]
)  # fmt: skip
encodings = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-odd"])


@st.composite
def emails(draw: st.DrawFn, family: Family, org: Organisation) -> bytes:
    """A plain reply from a known child, with up to two odd parts swapped in."""
    headers: dict[str, str] = {
        "From": family.child.email,
        "To": org.inbox_address,
        "Subject": draw(text),
        "Content-Type": "text/plain; charset=utf-8",
    }
    body = draw(text).encode()
    for _ in range(draw(st.integers(0, 2))):
        part = draw(st.sampled_from(["header", "type", "encoding", "body", "prefix"]))
        if part == "header":
            headers[draw(header_names)] = draw(odd)
        elif part == "type":
            headers["Content-Type"] = draw(content_types)
        elif part == "encoding":
            headers["Content-Transfer-Encoding"] = draw(encodings)
        elif part == "body":
            body = draw(st.one_of(odd.map(str.encode), st.binary(max_size=200)))
            body = b"--b\r\nContent-Type: text/plain\r\n\r\n" + body + b"\r\n--b--"
        else:
            headers = {draw(odd): draw(odd), **headers}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("utf-8", errors="surrogateescape") + b"\r\n" + body


@fuzz(150)
@given(data=st.data())
def test_parse_reads_any_bytes_or_quarantines_them(
    family: Family, org: Organisation, data: Any
) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=500), emails(family, org)))
    try:
        parsed = inbound.parse(raw)
    except inbound.Quarantine as why:
        assert str(why)
        return
    assert "@" in parsed.sender and isinstance(parsed.text, str)


@fuzz(40)
@given(data=st.data())
def test_receiving_any_mail_records_it_once_and_saves_nothing_half(
    family: Family, org: Organisation, smtp: Any, data: Any
) -> None:
    raw = data.draw(emails(family, org))
    inbound_before = InboundMessage.objects.count()
    messages_before = Message.objects.count()
    record = receive_inbound(raw)
    assert InboundMessage.objects.count() == inbound_before + 1
    accepted = record.status == InboundMessage.Status.ACCEPTED
    assert Message.objects.count() == messages_before + accepted
    assert accepted or record.reason


@pytest.mark.parametrize(
    "where",
    [
        "Subject: h\x00i",
        "From: Kit\x00 <{child}>",
        "To: {inbox}\x00",
        "Message-ID: <a\x00b>",
    ],
)
def test_mail_with_nul_is_quarantined_not_lost(
    family: Family, org: Organisation, smtp: Any, where: str
) -> None:
    base = {"From": family.child.email, "To": org.inbox_address, "Subject": "hi"}
    name, value = where.format(child=family.child.email, inbox=org.inbox_address).split(
        ": "
    )
    head = "".join(f"{k}: {v}\r\n" for k, v in {**base, name: value}.items())
    record = receive_inbound(f"{head}\r\nSee you there\r\n".encode())
    # NULs are stripped before anything is stored (PostgreSQL refuses them);
    # this mail answers no SafeContact message, so it waits in quarantine.
    assert record.status == InboundMessage.Status.QUARANTINED
    assert record.reason
    assert bytes(record.raw).startswith(head.encode())


def test_a_body_with_nul_is_quarantined_not_lost(
    family: Family, org: Organisation, smtp: Any
) -> None:
    raw = f"From: {family.child.email}\r\nTo: {org.inbox_address}\r\n\r\nhi\x00\r\n"
    record = receive_inbound(raw.encode())
    assert record.status == InboundMessage.Status.QUARANTINED
    assert not Message.objects.exists()
