"""Demo messages for `manage.py load_demo`: the gateway at work on first run.

Everything goes through the real services, so the decisions, the contact log
and the outbox are what the rules produce at the moment the demo is loaded
(outside agreed hours the messages are deferred, as they would be).
"""

from __future__ import annotations

from email.message import EmailMessage

from safecontact.accounts.models import Organisation, User
from safecontact.contact.models import Message
from safecontact.contact.services import receive_inbound, send_message
from safecontact.contact.services.delivery import plus_address
from safecontact.groups.models import Purpose
from safecontact.people import services as people_services
from safecontact.people.models import Person

# Made up for the demo: how an adult outside the organisation might write to a child.
WORRYING_REPLY = (
    "You're really mature for your age. Don't tell your mum we talk, "
    "add me on snapchat instead and delete this."
)


def load(*, organisation: Organisation) -> None:
    if Message.objects.filter(organisation=organisation).exists():
        return
    sam = User.objects.get(organisation=organisation, username="worker")
    people = {
        p.external_ref: p for p in Person.objects.filter(organisation=organisation)
    }
    amelia, oliver = people["demo-c-amelia"], people["demo-c-oliver"]
    purposes = {p.name: p for p in Purpose.objects.filter(organisation=organisation)}
    reminder = send_message(
        actor=sam,
        recipients=[amelia],
        channel="email",
        purpose=purposes["Trips and events"],
        subject="Trip on Friday",
        body="Hi Amelia, a reminder that Friday's trip leaves at 6pm. Bring a coat!",
    )
    send_message(
        actor=sam,
        recipients=[oliver],
        channel="email",
        purpose=purposes["Follow-up from a session"],
        subject="Missed you",
        body="Hi Oliver, we missed you on Friday.",
    )
    _worrying_reply(organisation, reminder)


def _worrying_reply(organisation: Organisation, original: Message) -> None:
    stranger = Person.objects.filter(
        organisation=organisation, email="jay@example.net"
    ).first()
    if stranger is None:
        lead = User.objects.get(organisation=organisation, username="lead")
        stranger = people_services.create_person(
            actor=lead,
            organisation=organisation,
            first_name="Jay",
            last_name="(unknown adult)",
            kind=Person.Kind.OTHER_ADULT,
            email="jay@example.net",
        )
    mail = EmailMessage()
    mail["From"] = stranger.email
    mail["To"] = plus_address(organisation.inbox_address, original.reply_token)
    mail["Subject"] = f"Re: {original.subject}"
    mail["Message-ID"] = "<demo-reply-1@example.net>"
    mail.set_content(WORRYING_REPLY)
    receive_inbound(mail.as_bytes(), source="demo")
