"""Every email to a child, a parent or carer, or an adult at risk ends with how
to report a worry and the organisation's report link, in wording for its
reader (checked on the raw message the SMTP server received)."""

from __future__ import annotations

from django.urls import reverse

from safecontact.contact.services import deliver_due
from safecontact.contact.tests.smtp import send
from safecontact.families.tests.conftest import link_for
from safecontact.people.models import Consent
from safecontact.people.tests.factories import AdultAtRiskFactory, ConsentFactory


def _raw(smtp, address):
    [received] = smtp.mailbox.for_address(address)
    return received.data.decode()


def _url(name, org):
    return "http://127.0.0.1:8000" + reverse(name, args=[org.report_token])


def _unfolded(raw: str) -> str:
    # Quoted-printable may wrap long lines: read the text as a mail client would.
    return raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")


def test_an_email_to_a_child_ends_with_child_friendly_reporting(
    org, worker, sender, family, smtp, settings
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    send(worker, [family.child])
    deliver_due()
    raw = _unfolded(_raw(smtp, family.child.email))
    assert "Worried or upset about a message, or about anyone online?" in raw
    assert _url("report:child", org) in raw
    assert "In danger right now? Call 999." in raw


def test_a_copy_to_a_parent_ends_with_plain_reporting(
    org, worker, sender, family, smtp, settings
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    send(worker, [family.parent], body="Reminder: the trip form is due Friday.")
    deliver_due()
    raw = _unfolded(_raw(smtp, family.parent.email))
    assert "Tell the Safeguarding Lead: " + _url("report:start", org) in raw


def test_an_email_to_an_adult_at_risk_ends_with_easy_read_reporting(
    org, worker, sender, smtp, settings
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    adult = AdultAtRiskFactory.create(organisation=org)
    ConsentFactory.create(
        subject=adult,
        kind=Consent.Kind.ADULT,
        given_by=None,
        capacity=Consent.Capacity.HAS_CAPACITY,
    )
    message = send(worker, [adult])
    deliver_due()
    assert smtp.mailbox.received, message.reasons
    raw = _unfolded(_raw(smtp, adult.email))
    assert "Worried? Upset? Tell us." in raw
    assert "Use this page: " + _url("report:easy_read", org) in raw


def test_the_family_link_email_carries_the_footer(org, family, smtp, settings, mailing):
    settings.SITE_URL = "http://127.0.0.1:8000"
    with mailing():
        link_for(family.parent)
    raw = _unfolded(_raw(smtp, family.parent.email))
    assert _url("report:start", org) in raw


def test_the_family_page_shows_how_to_report(client, org, family):
    page = client.get(link_for(family.parent)).text
    assert "How to report a worry" in page
    assert reverse("report:start", args=[org.report_token]) in page


def test_the_easy_read_page_shows_how_to_report(client, org):
    adult = AdultAtRiskFactory.create(organisation=org)
    page = client.get(link_for(adult)).text
    assert "Worried? Upset? Tell us." in page
    assert reverse("report:easy_read", args=[org.report_token]) in page
