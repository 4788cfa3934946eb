"""The demonstration organisation for ``load_demo``: synthetic people only.

Safe to run again: users are matched by username, people by their demo
reference, groups by name; nothing is added twice. Dates are relative to
today, so the demo always shows current, due, expired and missing checks.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecontact.accounts import services as accounts
from safecontact.accounts.models import Organisation, User
from safecontact.groups import services as groups
from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.people import services
from safecontact.people.models import Person, Relationship

ORGANISATION = "St Mary's Community Church"
PASSWORD = "st-marys-demo"  # noqa: S105 - demo only, printed by load_demo
HOOKS = ("safecontact.contact.demo", "safecontact.concerns.demo")
ALL_WEEK_DAYTIME = [{"day": d, "start": "08:00", "end": "21:00"} for d in range(7)]
NOTICES, TRIPS, FOLLOW_UP, PASTORAL = (
    "Group notices and arrangements",
    "Trips and events",
    "Follow-up from a session",
    "Pastoral support",
)

USERS = [
    ("lead", "lead", "Margaret", "Ellis"),
    ("deputy", "deputy", "David", "Okoro"),
    ("trustee", "trustee", "Anne", "Whitfield"),
    ("worker", "worker", "Sam", "Okafor"),
    ("grace", "worker", "Grace", "Mensah"),
]


@dataclass(frozen=True)
class Demo:
    organisation: Organisation
    usernames: tuple[str, ...]
    password: str


def _ago(days: int = 0, years: int = 0) -> datetime.date:
    day = timezone.localdate()
    day = (
        day.replace(year=day.year - years)
        if (day.month, day.day) != (2, 29)
        else day.replace(year=day.year - years, day=28)
    )
    return day - datetime.timedelta(days=days)


def _ahead(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _organisation() -> Organisation:
    org = Organisation.objects.filter(name=ORGANISATION).first()
    if org is not None:
        return org
    return accounts.create_organisation(
        name=ORGANISATION,
        email_from="office@stmarys.example.org",
        inbox_address="inbox@stmarys.example.org",
    )


def _users(org: Organisation) -> dict[str, User]:
    users = {}
    for username, role, first, last in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_user(
                actor=None,
                organisation=org,
                username=username,
                password=PASSWORD,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@stmarys.example.org",
            )
        users[username] = user
    return users


class Builder:
    def __init__(self, org: Organisation, lead: User) -> None:
        self.org, self.lead = org, lead
        self.people: dict[str, Person] = {}

    def person(
        self, ref: str, first: str, last: str, kind: str, **extra: Any
    ) -> tuple[Person, bool]:
        existing = Person.objects.filter(
            organisation=self.org, external_ref=ref
        ).first()
        if existing is not None:
            self.people[ref] = existing
            return existing, False
        person = services.create_person(
            actor=self.lead,
            organisation=self.org,
            external_ref=ref,
            first_name=first,
            last_name=last,
            kind=kind,
            **extra,
        )
        self.people[ref] = person
        return person, True

    def worker(
        self,
        ref: str,
        first: str,
        last: str,
        *,
        vetting: str,
        training: str = "current",
        login: User | None = None,
        left: bool = False,
        **profile: Any,
    ) -> Person:
        person, new = self.person(
            ref,
            first,
            last,
            Person.Kind.WORKER,
            email=f"{first.lower()}@stmarys.example.org",
        )
        if not new:
            return person
        services.set_worker_profile(
            actor=self.lead,
            person=person,
            start_date=_ago(years=4),
            end_date=_ago(days=30) if left else None,
            **profile,
        )
        if login is not None:
            services.link_login(actor=self.lead, person=person, user=login)
        self._vetting(person, vetting)
        if training == "current":
            services.record_training(
                actor=self.lead,
                person=person,
                level="foundation",
                completed_on=_ago(years=1),
                expires_on=_ahead(700),
                provider="Diocesan safeguarding team",
            )
        return person

    def _vetting(self, person: Person, state: str) -> None:
        issued = {
            "current": _ago(years=1),
            "expired": _ago(days=20, years=3),
            "due": _ago(days=-20, years=3),
        }.get(state)
        if issued is not None:
            services.record_vetting_check(
                actor=self.lead,
                person=person,
                level="enhanced_barred",
                certificate_date=issued,
                certificate_number="001234567890",
            )

    def carer(self, child: str, parent: str) -> None:
        carer, person = self.people[parent], self.people[child]
        if not Relationship.objects.filter(carer=carer, person=person).exists():
            services.add_relationship(actor=self.lead, carer=carer, person=person)

    def purposes(self, *names: str) -> list[Purpose]:
        """Purposes from the organisation's list, in the order named."""
        found = {p.name: p for p in Purpose.objects.filter(organisation=self.org)}
        return [found[name] for name in names]

    def group(
        self,
        name: str,
        platform: str,
        members: list[tuple[str, str]],
        purposes: tuple[str, ...],
        **fields: Any,
    ) -> Group:
        group = Group.objects.filter(organisation=self.org, name=name).first()
        if group is None:
            group = groups.create_group(
                actor=self.lead,
                organisation=self.org,
                name=name,
                platform=Platform.objects.get(organisation=self.org, name=platform),
                purposes=self.purposes(*purposes),
                **fields,
            )
        for ref, role in members:
            person = self.people[ref]
            if not GroupMember.objects.filter(
                group=group, person=person, removed_at=None
            ).exists():
                # The demo's groups predate SafeContact, problems included.
                groups.record_existing_member(
                    actor=self.lead, group=group, person=person, role=role
                )
        return group


def _workers(b: Builder, users: dict[str, User]) -> None:
    b.worker(
        "demo-w-lead",
        "Margaret",
        "Ellis",
        vetting="current",
        login=users["lead"],
        employment="staff",
        role_title="Safeguarding Lead",
    )
    b.worker(
        "demo-w-sam",
        "Sam",
        "Okafor",
        vetting="current",
        login=users["worker"],
        employment="volunteer",
        role_title="Youth leader",
        works_with="children",
    )
    b.worker(
        "demo-w-grace",
        "Grace",
        "Mensah",
        vetting="current",
        login=users["grace"],
        employment="staff",
        role_title="Youth worker",
    )
    b.worker(
        "demo-w-tom",
        "Tom",
        "Hughes",
        vetting="expired",
        employment="volunteer",
        role_title="Wednesday Club helper",
        works_with="children",
    )
    b.worker(
        "demo-w-ruth",
        "Ruth",
        "Adeyemi",
        vetting="missing",
        training="missing",
        employment="volunteer",
        role_title="New volunteer",
    )
    b.worker(
        "demo-w-helen",
        "Helen",
        "Price",
        vetting="due",
        employment="volunteer",
        role_title="Friendship Circle host",
        works_with="adults",
    )
    b.worker(
        "demo-w-peter",
        "Peter",
        "Lamb",
        vetting="current",
        left=True,
        employment="volunteer",
        role_title="Former youth helper",
    )


def _families(b: Builder) -> None:
    for ref, first, last in (
        ("demo-p-sarah", "Sarah", "Clarke"),
        ("demo-p-ravi", "Ravi", "Patel"),
        ("demo-p-emma", "Emma", "Brown"),
    ):
        b.person(
            ref, first, last, Person.Kind.PARENT, email=f"{first.lower()}@example.com"
        )
    for ref, first, last, years, parent in (
        ("demo-c-amelia", "Amelia", "Clarke", 12, "demo-p-sarah"),
        ("demo-c-oliver", "Oliver", "Clarke", 14, "demo-p-sarah"),
        ("demo-c-noah", "Noah", "Patel", 13, "demo-p-ravi"),
        ("demo-c-isla", "Isla", "Brown", 11, "demo-p-emma"),
        ("demo-c-leo", "Leo", "Brown", 15, "demo-p-emma"),
    ):
        b.person(
            ref,
            first,
            last,
            Person.Kind.CHILD,
            date_of_birth=_ago(days=90, years=years),
            # Older children have an address the organisation may write to.
            email=f"{first.lower()}@kids.example.com" if years >= 12 else "",
        )
        b.carer(ref, parent)
    b.person(
        "demo-a-dorothy",
        "Dorothy",
        "Evans",
        Person.Kind.ADULT_AT_RISK,
        date_of_birth=_ago(years=81),
        phone="01632 960123",
        preferred_channel="phone",
        accessibility_needs="Large print; prefers a phone call to email.",
    )
    b.person(
        "demo-a-george",
        "George",
        "Wilson",
        Person.Kind.ADULT_AT_RISK,
        date_of_birth=_ago(years=67),
        email="george@example.com",
    )


def _groups(b: Builder) -> None:
    youth = [
        ("demo-c-amelia", "member"),
        ("demo-c-oliver", "member"),
        ("demo-c-noah", "member"),
        ("demo-c-leo", "member"),
        ("demo-w-sam", "leader"),
        ("demo-w-grace", "leader"),
        ("demo-w-peter", "leader"),
        ("demo-p-ravi", "parent"),
    ]
    b.group(
        "Youth Group",
        "SafeContact inbox",
        youth,
        (NOTICES, TRIPS, FOLLOW_UP),
        description="Friday youth group for 11-16s.",
        audience="young_people",
        age_min=11,
        age_max=16,
        hours=[{"day": d, "start": "17:00", "end": "21:00"} for d in (2, 4)],
        conduct_agreement="Leaders post only in the group, never privately. Be kind.",
    )
    b.group(
        "Wednesday Club",
        "WhatsApp",
        [
            ("demo-c-amelia", "member"),
            ("demo-c-isla", "member"),
            ("demo-w-tom", "leader"),
        ],
        (NOTICES, TRIPS),
        description="After-school club for 8-12s: reminders for parents and children.",
        audience="children",
        age_min=8,
        age_max=12,
        hours=[{"day": 2, "start": "15:00", "end": "19:00"}],
    )
    b.group(
        "Friendship Circle",
        "Email",
        [
            ("demo-a-dorothy", "member"),
            ("demo-a-george", "member"),
            ("demo-w-helen", "leader"),
        ],
        (NOTICES, PASTORAL),
        description="Weekly coffee morning for older members: times, lifts and news.",
        audience="adults_at_risk",
        hours=[{"day": 1, "start": "09:00", "end": "17:00"}],
    )


def _consents(b: Builder) -> None:
    p, youth = b.people, Group.objects.get(organisation=b.org, name="Youth Group")
    wednesday = Group.objects.get(organisation=b.org, name="Wednesday Club")
    circle = Group.objects.get(organisation=b.org, name="Friendship Circle")
    child: dict[str, Any] = {
        "channels": ["email", "in_app"],
        "purposes": b.purposes(NOTICES, TRIPS, FOLLOW_UP),
        "hours": ALL_WEEK_DAYTIME,
        "evidence": "form",
    }
    if not p["demo-c-amelia"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-c-amelia"],
            given_by=p["demo-p-sarah"],
            groups=[youth, wednesday],
            evidence_date=_ago(days=60),
            expires_on=_ahead(300),
            **child,
        )
    if not p["demo-c-leo"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-c-leo"],
            given_by=p["demo-p-emma"],
            groups=[youth],
            evidence_date=_ago(days=30),
            expires_on=_ahead(330),
            **child,
        )
    if not p["demo-c-isla"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-c-isla"],
            given_by=p["demo-p-emma"],
            groups=[wednesday],
            evidence_date=_ago(days=400),
            expires_on=_ago(days=35),
            **child,
        )
    if not p["demo-c-oliver"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-c-oliver"],
            given_by=p["demo-p-sarah"],
            groups=[youth],
            evidence_date=_ago(days=200),
            expires_on=_ahead(165),
            **child,
        )
        services.withdraw_consent(
            actor=b.lead,
            subject=p["demo-c-oliver"],
            evidence="email",
            evidence_date=_ago(days=5),
            withdrawn_by=p["demo-p-sarah"],
            notes="Mum asked us to stop messaging Oliver for now.",
        )
    if not p["demo-a-dorothy"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-a-dorothy"],
            channels=["phone", "email"],
            purposes=b.purposes(NOTICES, PASTORAL),
            groups=[circle],
            hours=[{"day": d, "start": "10:00", "end": "16:00"} for d in range(5)],
            capacity="has_capacity",
            accessibility="Large print by email.",
            evidence="verbal",
            evidence_date=_ago(days=20),
            expires_on=_ahead(345),
        )
    if not p["demo-a-george"].consents.exists():
        services.record_consent(
            actor=b.lead,
            subject=p["demo-a-george"],
            channels=["email"],
            purposes=b.purposes(NOTICES, PASTORAL),
            groups=[circle],
            hours=ALL_WEEK_DAYTIME,
            capacity="needs_support",
            best_interests_by="His daughter, Karen Wilson",
            evidence="form",
            evidence_date=_ago(days=40),
            expires_on=_ahead(325),
        )


@transaction.atomic
def load_register() -> Demo:
    org = _organisation()
    users = _users(org)
    groups.seed_platforms(organisation=org, actor=users["lead"])
    groups.seed_purposes(organisation=org, actor=users["lead"])
    b = Builder(org, users["lead"])
    _workers(b, users)
    _families(b)
    _groups(b)
    _consents(b)
    return Demo(org, tuple(u for u, *_ in USERS), PASSWORD)


def run_hooks(organisation: Organisation) -> list[str]:
    """Let other apps add their demo data (contact, concerns), if installed."""
    ran = []
    for name in HOOKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.load(organisation=organisation)
        ran.append(name)
    return ran
