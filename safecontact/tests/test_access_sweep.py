"""The permanent access sweep (issue 14): every URL and every API operation,
as every kind of visitor, against one small world of one object of each kind.

The URLs come from the resolver and the operations from the OpenAPI document,
so a new endpoint is swept without anyone remembering to. A URL or operation
missing from ``PAGES`` or ``OPERATIONS`` fails the test: decide who may use it
first, here, in one line.

Visitors: anonymous; the Lead, a deputy, a trustee and a worker; the Lead of a
second organisation; a worker a concern is about; a deputy a concern is about;
and the Lead, deputy, trustee and a superuser signed in with the password only
(no code).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.services import create_api_key
from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.api import api
from safecontact.assessments import services as assessments
from safecontact.audits.tests.factories import finished_audit
from safecontact.concerns import services as concerns
from safecontact.concerns.tests.factories import make_case
from safecontact.conftest import login
from safecontact.contact.models import Delivery, Message
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import send
from safecontact.dashboard import services as umbrellas
from safecontact.families.requests import request_consent
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.ledger.models import ChainCheck, LedgerEntry
from safecontact.lib.access import TWO_FACTOR_MESSAGE
from safecontact.notifications.models import Notification
from safecontact.people.tests.factories import WorkerFactory, purpose_named
from safecontact.policies.tests.factories import published_policy

pytestmark = pytest.mark.django_db

# --- Who may do what ----------------------------------------------------------

PUBLIC = "public"  # anyone, signed in or not
LEADS = frozenset({"lead", "deputy"})
OVERSIGHT = LEADS | {"trustee"}
SENDERS = LEADS | {"worker"}
MEMBERS = OVERSIGHT | {"worker"}
SIGNED_IN = "signed in"  # anyone signed in, even before the two-step check
NOT_OFFERED = None  # the view does not answer this method (405)

Allowed = frozenset[str] | str | None

# URL name -> (who may GET, who may POST). Case pages are for the case's
# recipients: in this world the Lead and deputies (the concern is about a
# worker). Lists filter what each role sees; the leak checks below prove it.
PAGES: dict[str, tuple[Allowed, Allowed]] = {
    "home": (MEMBERS, NOT_OFFERED),
    "healthz": (PUBLIC, PUBLIC),
    "accounts:login": (PUBLIC, PUBLIC),
    "accounts:logout": (NOT_OFFERED, PUBLIC),
    "accounts:signed_out": (PUBLIC, NOT_OFFERED),
    "accounts:two_factor": (SIGNED_IN, SIGNED_IN),
    "accounts:api_keys": (MEMBERS, MEMBERS),
    "notifications:preferences": (MEMBERS, MEMBERS),
    "notifications:failures": (LEADS, NOT_OFFERED),
    "notifications:retry": (NOT_OFFERED, LEADS),
    "accounts:revoke_api_key": (NOT_OFFERED, MEMBERS),
    "accounts:backup_codes": (MEMBERS, MEMBERS),
    # A link's token is checked, not the visitor: an unknown link gets a page.
    "accounts:accept_invitation": (PUBLIC, PUBLIC),
    "accounts:invite": (LEADS, LEADS),
    "accounts:logins": (LEADS, NOT_OFFERED),
    "accounts:change_role": (NOT_OFFERED, LEADS),
    "accounts:set_active": (NOT_OFFERED, LEADS),
    "accounts:reset_two_factor": (NOT_OFFERED, LEADS),
    "accounts:settings": (frozenset({"lead"}), frozenset({"lead"})),
    "accounts:first_run": (LEADS, NOT_OFFERED),
    "accounts:password_reset": (PUBLIC, PUBLIC),
    "accounts:password_reset_done": (PUBLIC, NOT_OFFERED),
    "accounts:password_reset_confirm": (PUBLIC, PUBLIC),
    "accounts:password_reset_complete": (PUBLIC, NOT_OFFERED),
    # The operators' pages are for superusers only (none of the visitors here).
    "operators:list": (frozenset(), frozenset()),
    "operators:suspend": (NOT_OFFERED, frozenset()),
    "people:list": (MEMBERS, NOT_OFFERED),
    "people:add": (LEADS, LEADS),
    "people:attention": (OVERSIGHT, NOT_OFFERED),
    "people:audit": (OVERSIGHT, NOT_OFFERED),
    "people:import": (LEADS, LEADS),
    "people:import_confirm": (NOT_OFFERED, LEADS),
    "people:detail": (MEMBERS, NOT_OFFERED),
    "people:edit": (LEADS, LEADS),
    "people:worker": (LEADS, LEADS),
    "people:vetting": (LEADS, LEADS),
    "people:training": (LEADS, LEADS),
    "people:relationship": (LEADS, LEADS),
    "people:consent": (LEADS, LEADS),
    "people:withdraw": (LEADS, LEADS),
    "people:worker_reinstate": (NOT_OFFERED, LEADS),
    "groups:list": (MEMBERS, NOT_OFFERED),
    "groups:add": (LEADS, LEADS),
    "groups:platforms": (MEMBERS, NOT_OFFERED),
    "groups:platform_approval": (NOT_OFFERED, LEADS),
    "groups:detail": (MEMBERS, NOT_OFFERED),
    "groups:edit": (LEADS, LEADS),
    "groups:member_add": (LEADS, LEADS),
    "groups:member_remove": (NOT_OFFERED, LEADS),
    "groups:purposes": (LEADS, LEADS),
    "groups:purpose_rename": (LEADS, LEADS),
    "groups:purpose_retire": (NOT_OFFERED, LEADS),
    "policies:list": (MEMBERS, NOT_OFFERED),
    "policies:detail": (MEMBERS, NOT_OFFERED),
    "policies:print": (MEMBERS, NOT_OFFERED),
    "policies:new": (LEADS, LEADS),
    "policies:edit": (LEADS, LEADS),
    "policies:publish": (LEADS, LEADS),
    "policies:acknowledgements": (LEADS, LEADS),
    "policies:reviewed": (NOT_OFFERED, LEADS),
    "policies:retire": (NOT_OFFERED, LEADS),
    "policies:acknowledge": (NOT_OFFERED, MEMBERS),
    "assessments:list": (OVERSIGHT, NOT_OFFERED),
    "assessments:detail": (OVERSIGHT, NOT_OFFERED),
    "assessments:print": (OVERSIGHT, NOT_OFFERED),
    "assessments:new": (LEADS, LEADS),
    "assessments:edit": (LEADS, LEADS),
    "assessments:sign_off": (LEADS, LEADS),
    "assessments:hazard_add": (LEADS, LEADS),
    "assessments:hazard_edit": (LEADS, LEADS),
    "assessments:control_add": (LEADS, LEADS),
    "assessments:archive": (NOT_OFFERED, LEADS),
    "assessments:hazard_delete": (NOT_OFFERED, LEADS),
    "assessments:control_done": (NOT_OFFERED, LEADS),
    "dashboard:dashboard": (OVERSIGHT, NOT_OFFERED),
    "dashboard:refresh": (NOT_OFFERED, LEADS),
    "dashboard:report": (OVERSIGHT, NOT_OFFERED),
    "dashboard:report_print": (OVERSIGHT, NOT_OFFERED),
    "dashboard:grants": (LEADS, LEADS),
    "dashboard:umbrella": (OVERSIGHT, NOT_OFFERED),
    "dashboard:invite": (NOT_OFFERED, LEADS),
    "dashboard:threshold": (NOT_OFFERED, LEADS),
    "dashboard:template_new": (LEADS, LEADS),
    "dashboard:member": (OVERSIGHT, NOT_OFFERED),
    "dashboard:membership": (LEADS, NOT_OFFERED),
    # Only the member organisation's Lead answers an umbrella's invitation;
    # here the member is a third organisation nobody signs in to.
    "dashboard:accept": (NOT_OFFERED, frozenset()),
    "dashboard:leave": (NOT_OFFERED, frozenset()),
    "audits:list": (LEADS, NOT_OFFERED),
    "audits:upload": (LEADS, LEADS),
    "audits:detail": (LEADS, NOT_OFFERED),
    "audits:restart": (NOT_OFFERED, LEADS),
    "audits:attention": (NOT_OFFERED, LEADS),
    "audits:alert": (NOT_OFFERED, LEADS),
    "audits:concern": (NOT_OFFERED, LEADS),
    "contact:overview": (MEMBERS, NOT_OFFERED),
    "contact:compose": (SENDERS, SENDERS),
    "contact:inbox": (SENDERS, NOT_OFFERED),
    "contact:sent": (SENDERS, NOT_OFFERED),
    "contact:detail": (SENDERS, NOT_OFFERED),
    "contact:release": (NOT_OFFERED, LEADS),
    "contact:reject": (NOT_OFFERED, LEADS),
    "contact:held": (LEADS, NOT_OFFERED),
    "contact:alerts": (LEADS, NOT_OFFERED),
    "contact:alert": (LEADS, LEADS),
    "contact:outbox": (LEADS, NOT_OFFERED),
    "contact:retry": (NOT_OFFERED, LEADS),
    "contact:quarantine": (LEADS, NOT_OFFERED),
    "ledger:list": (OVERSIGHT, NOT_OFFERED),
    "ledger:verify": (LEADS, NOT_OFFERED),
    "ledger:check_start": (NOT_OFFERED, LEADS),
    "ledger:check": (LEADS, NOT_OFFERED),
    "ledger:detail": (OVERSIGHT, NOT_OFFERED),
    "ledger:history": (LEADS, NOT_OFFERED),
    "ledger:history_csv": (LEADS, NOT_OFFERED),
    "concerns:list": (MEMBERS, MEMBERS),
    "concerns:report": (MEMBERS, MEMBERS),
    "concerns:reported": (MEMBERS, MEMBERS),
    "concerns:deleted": (LEADS, LEADS),
    "concerns:routing": (LEADS, LEADS),
    "concerns:report_link": (LEADS, LEADS),
    "concerns:report_qr_png": (LEADS, LEADS),
    "concerns:detail": (LEADS, LEADS),
    "concerns:triage": (NOT_OFFERED, LEADS),
    "concerns:add_entry": (NOT_OFFERED, LEADS),
    "concerns:add_action": (NOT_OFFERED, LEADS),
    "concerns:complete_action": (NOT_OFFERED, LEADS),
    "concerns:add_decision": (NOT_OFFERED, LEADS),
    "concerns:add_referral": (NOT_OFFERED, LEADS),
    "concerns:add_evidence": (NOT_OFFERED, LEADS),
    "concerns:share": (NOT_OFFERED, LEADS),
    "concerns:unshare": (NOT_OFFERED, LEADS),
    "concerns:close": (LEADS, LEADS),
    "concerns:delete": (LEADS, LEADS),
    "concerns:summary": (LEADS, LEADS),
    "concerns:attachment": (LEADS, LEADS),
    "report:start": (PUBLIC, PUBLIC),
    "report:standard": (PUBLIC, PUBLIC),
    "report:easy_read": (PUBLIC, PUBLIC),
    "report:child": (PUBLIC, PUBLIC),
    "report:sent": (PUBLIC, PUBLIC),
    # Family pages are public token pages: the secret emailed link is the key,
    # and an unknown, expired or replaced token gets the same 200 page.
    "families:request": (PUBLIC, PUBLIC),
    "families:home": (PUBLIC, PUBLIC),
    "families:consent": (PUBLIC, PUBLIC),
    "families:withdraw": (NOT_OFFERED, PUBLIC),
    "families:requests": (LEADS, LEADS),
    "families:choose": (LEADS, LEADS),
    "families:batch": (LEADS, NOT_OFFERED),
    "families:remind": (NOT_OFFERED, LEADS),
    "families:carry_on": (NOT_OFFERED, LEADS),
    "families:renew": (NOT_OFFERED, LEADS),
    "families:preferences": (NOT_OFFERED, PUBLIC),
    # The API's description is public; its operations are in OPERATIONS.
    "api:openapi-json": (PUBLIC, PUBLIC),
    "api:openapi-view": (PUBLIC, PUBLIC),
    "api:api-root": (NOT_OFFERED, NOT_OFFERED),
}

# Trustees see the register, the groups and the contact log (pages and API)
# only when the Lead grants it; nobody in this world has a grant.
GRANTED_ONLY = ("people:", "groups:", "ledger:")
GRANTED_ONLY_API = ("_people_api_", "_groups_api_", "_ledger_api_")


def _no_trustee(allowed: Allowed) -> Allowed:
    return allowed - {"trustee"} if isinstance(allowed, frozenset) else allowed


PAGES = {
    name: (_no_trustee(get), _no_trustee(post))
    if name.startswith(GRANTED_ONLY)
    else (get, post)
    for name, (get, post) in PAGES.items()
}

# Pages someone signed in with the password only may still open.
HALF_SIGNED_IN_OPEN = {
    "healthz",
    "accounts:login",
    "accounts:logout",
    "accounts:signed_out",
    "accounts:two_factor",
    "accounts:accept_invitation",
    *(name for name in PAGES if name.startswith("accounts:password_reset")),
    *(name for name in PAGES if name.startswith("report:")),
}

# The Django admin is for superusers only (none of the visitors here); its
# login page is open like any login page.
# Signing out of the admin sends a non-staff user to its index, which refuses.
ADMIN_PUBLIC = {"admin:login", "admin:logout"}

# API operation id -> who may call it.
OPERATIONS: dict[str, frozenset[str]] = {
    "safecontact_people_api_list_people": MEMBERS,
    "safecontact_people_api_create_person": LEADS,
    "safecontact_people_api_list_workers": OVERSIGHT,
    "safecontact_people_api_get_person": MEMBERS,
    "safecontact_people_api_update_person": LEADS,
    "safecontact_people_api_list_vetting": OVERSIGHT,
    "safecontact_people_api_record_vetting": LEADS,
    "safecontact_people_api_consent_history": OVERSIGHT,
    "safecontact_people_api_record_consent": LEADS,
    "safecontact_people_api_withdraw_consent": LEADS,
    "safecontact_people_api_end_worker_role": LEADS,
    "safecontact_people_api_reinstate_worker": LEADS,
    "safecontact_groups_api_list_purposes": MEMBERS,
    "safecontact_groups_api_add_purpose": LEADS,
    "safecontact_groups_api_change_purpose": LEADS,
    "safecontact_groups_api_list_groups": MEMBERS,
    "safecontact_groups_api_create_group": LEADS,
    "safecontact_groups_api_list_platforms": MEMBERS,
    "safecontact_groups_api_update_platform": LEADS,
    "safecontact_groups_api_get_group": MEMBERS,
    "safecontact_groups_api_add_member": LEADS,
    "safecontact_groups_api_remove_member": LEADS,
    "safecontact_contact_api_preview_message": SENDERS,
    "safecontact_contact_api_send": SENDERS,
    # Trustees get an empty list: they see counts only, never messages.
    "safecontact_contact_api_list_messages": MEMBERS,
    "safecontact_contact_api_get_message": SENDERS,
    "safecontact_contact_api_list_alerts": LEADS,
    "safecontact_ledger_api_list_entries": OVERSIGHT,
    "safecontact_ledger_api_verify": LEADS,
    "safecontact_concerns_api_report_concern": MEMBERS,
    "safecontact_concerns_api_list_cases": OVERSIGHT,
    "safecontact_concerns_api_get_case": LEADS,
    "safecontact_concerns_api_add_chronology_entry": LEADS,
    "safecontact_concerns_api_record_referral": LEADS,
}

OPERATIONS = {
    op: _no_trustee(allowed)
    if any(part in op for part in GRANTED_ONLY_API)
    else allowed  # type: ignore[misc]
    for op, allowed in OPERATIONS.items()
}

# Which object fills a URL's ``code``: by URL name, else by namespace.
CODE_OF = {
    "people": "person",
    "groups": "group",
    "contact": "message",
    "ledger": "entry",
    "concerns": "case",
    "accounts": "api_key",
    "accounts:invite": "person",
    "accounts:change_role": "login",
    "accounts:set_active": "login",
    "accounts:reset_two_factor": "login",
    "operators": "organisation",
    "notifications": "notification",
    "policies": "policy",
    "assessments": "assessment",
    "families": "person",
    "families:batch": "consent_batch",
    "families:remind": "consent_batch",
    "families:carry_on": "consent_batch",
    "families:renew": "consent",
    "audits": "audit",
    "audits:attention": "audit_finding",
    "audits:alert": "audit_finding",
    "audits:concern": "audit_finding",
    "groups:purpose_rename": "purpose",
    "groups:purpose_retire": "purpose",
    "dashboard:member": "membership",
    "dashboard:accept": "membership",
    "dashboard:leave": "membership",
    "groups:platform_approval": "platform",
    "groups:member_remove": "member",
    "contact:alert": "alert",
    "contact:retry": "delivery",
    "ledger:history": "person",
    "ledger:history_csv": "person",
    "ledger:check": "chain_check",
}
# Which object fills an API path's {code}: by the path's first part.
API_CODE_OF = {
    "people": "person",
    "groups": "group",
    "contact": "message",
    "concerns": "case",
    "groups/platforms": "platform",
    "groups/members": "api_member",
    "groups/purposes": "purpose",
}

# --- The world ------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
TUESDAY_10AM = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)
WORRYING = "This is our secret, don't tell your mum. Add me on snapchat instead."


@dataclass
class World:
    org: Organisation
    objects: dict[str, Any]
    users: dict[str, User]
    # Text that must never reach a visitor who may not see it.
    org_secrets: list[str]
    case_secrets: list[str]
    deputy_case_secrets: list[str]
    deputy_case: Any = None

    def all_secrets(self) -> list[str]:
        return self.org_secrets + self.case_secrets + self.deputy_case_secrets


def _build_world() -> World:
    org = OrganisationFactory.create(name="Sweep Church")
    other = OrganisationFactory.create(name="Elsewhere Chapel")
    users = {
        role: UserFactory.create(organisation=org, role=role)
        for role in ("lead", "deputy", "trustee", "worker")
    }
    users["subject"] = UserFactory.create(organisation=org, role="worker")
    users["sharee"] = UserFactory.create(organisation=org, role="worker")
    users["outsider"] = UserFactory.create(organisation=other, role="lead")
    users["superuser"] = UserFactory.create(
        organisation=None, is_superuser=True, is_staff=True
    )
    sender = WorkerFactory.create(
        organisation=org, user=users["worker"], first_name="Quillon"
    )
    family = make_family(org)
    family.child.first_name = "Zephyrina"
    family.child.save()
    group = GroupFactory.create(organisation=org, name="Sweepgroup Alpha")
    GroupMemberFactory.create(group=group, person=sender, role="leader")
    member = GroupMemberFactory.create(group=group, person=family.child)
    spare = make_family(org)
    api_member = GroupMemberFactory.create(group=group, person=spare.child)
    family.consent.groups.set([group])
    queued = send(users["worker"], [family.child], subject="Sweep subject Alpha")
    held = send(users["worker"], [family.child], body=WORRYING)
    assert held.status == Message.Status.HELD, held.reasons
    case = make_case(org, about_user=users["subject"], images=1)
    action = concerns.add_action(
        actor=users["lead"],
        case=case,
        description="Call the family",
        owner=users["deputy"],
        due_on=TUESDAY_10AM.date(),
    )
    share = concerns.share_case(actor=users["lead"], case=case, user=users["sharee"])
    deputy_case = make_case(
        org, about_user=users["deputy"], narrative="Quartzwing asked for photos."
    )
    api_key, _ = create_api_key(actor=users["worker"], name="Sweep key")
    policy = published_policy(users["lead"], "conduct")
    assessment = assessments.create_assessment(
        actor=users["lead"],
        organisation=org,
        title="Sweep chat",
        activity="group_chat",
        group=group,
    )
    hazard = assessment.hazards.earliest("position")
    branch = OrganisationFactory.create(name="Branch Chapel")
    membership = umbrellas.invite_member(actor=users["lead"], member=branch)
    umbrellas.accept_invitation(
        actor=UserFactory.create(organisation=branch, role="lead"), link=membership
    )
    audit = finished_audit(group, users["lead"])
    batch = request_consent(actor=users["lead"], subjects=[family.child])
    objects = {
        "person": family.child,
        "group": group,
        "member": member,
        "api_member": api_member,
        "platform": group.platform,
        "message": held,
        "alert": held.alerts.get(),
        "delivery": Delivery.objects.get(message=queued),
        "entry": LedgerEntry.objects.filter(organisation=org).first(),
        "case": case,
        "action": action,
        "share": share,
        "attachment": case.attachments.get(),
        "api_key": api_key,
        "policy": policy,
        "assessment": assessment,
        "hazard": hazard,
        "control": hazard.controls.earliest("id"),
        "purpose": purpose_named(org),
        "membership": membership,
        "login": UserFactory.create(organisation=org, role="worker"),
        "organisation": org,
        "audit": audit,
        "audit_finding": audit.findings.get(),
        "notification": Notification.objects.create(
            organisation=org,
            recipient=users["lead"],
            kind=Notification.Kind.HELD,
            key="sweep:failed",
            link="/",
            status=Notification.Status.FAILED,
            attempts=30,
        ),
        "consent_batch": SimpleNamespace(code=batch),
        "consent": family.consent,
        "chain_check": ChainCheck.objects.create(organisation=org),
    }
    return World(
        org=org,
        objects=objects,
        users=users,
        org_secrets=["Zephyrina", "Sweepgroup Alpha", "Sweep subject Alpha"],
        case_secrets=[case.reference, "photo in school uniform"],
        deputy_case_secrets=[deputy_case.reference],
        deputy_case=deputy_case,
    )


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(TUESDAY_10AM, tick=True):
        yield _build_world()


# --- Visitors ---------------------------------------------------------------------

# (visitor, the user it signs in as, verified with the code?)
VISITORS = [
    ("anonymous", None, False),
    ("half lead", "lead", False),
    ("half deputy", "deputy", False),
    ("half trustee", "trustee", False),
    ("outsider", "outsider", True),
    ("subject", "subject", True),
    ("deputy subject", "deputy", True),
    ("worker", "worker", True),
    ("trustee", "trustee", True),
    ("deputy", "deputy", True),
    ("lead", "lead", True),
    # A superuser signed in with the password only: the admin must not open.
    ("half superuser", "superuser", False),
]
# Enough visitors for URLs that answer everyone alike (the admin, a method not
# offered): the sweep stays well under a minute.
FEW = {"anonymous", "half lead", "worker", "lead", "half superuser"}
ROLE_OF = {"outsider": "lead", "subject": "worker", "deputy subject": "deputy"}


def _client(world: World, visitor: str, user: str | None, verified: bool) -> Client:
    client = Client()
    if user is None:
        return client
    if verified:
        return login(client, world.users[user])
    client.force_login(world.users[user])
    return client


# --- What happened ------------------------------------------------------------------

OK, LOGIN, TWO_FACTOR, FORBIDDEN, NOT_FOUND, NO_METHOD, ERROR = (
    "ok",
    "login",
    "two-factor",
    "forbidden",
    "not found",
    "no method",
    "error",
)


def outcome(response: Any) -> str:
    status = response.status_code
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return ERROR
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse("accounts:two_factor")):
            return TWO_FACTOR
        if location.startswith((reverse("accounts:login"), reverse("admin:login"))):
            return LOGIN
        return OK
    if status == HTTPStatus.UNAUTHORIZED:
        return LOGIN
    if status == HTTPStatus.FORBIDDEN:
        if _is_json(response) and response.json().get("error") == TWO_FACTOR_MESSAGE:
            return TWO_FACTOR
        return FORBIDDEN
    if status == HTTPStatus.NOT_FOUND:
        return NOT_FOUND
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return NO_METHOD
    return OK


def _is_json(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def _text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@dataclass
class Check:
    """One request and what it must come to."""

    what: str
    method: str
    url: str
    allowed: Allowed
    object_level: bool  # the URL names an object of the organisation
    case_level: bool  # ... a case in particular
    admin: bool = False
    half_open: bool = False
    body: Any = None
    problems: list[str] = field(default_factory=list)


def expected(check: Check, visitor: str) -> set[str]:
    allowed = check.allowed
    if allowed is NOT_OFFERED:
        return {NO_METHOD, LOGIN, TWO_FACTOR, FORBIDDEN, NOT_FOUND}
    if check.what == "accounts:logout":
        return {OK}  # everyone ends on the "you have logged out" page
    if visitor.startswith("half") and not check.half_open:
        return {TWO_FACTOR}
    if check.admin:
        return {OK} if check.what in ADMIN_PUBLIC else {LOGIN}
    if allowed == PUBLIC:
        return {OK}
    if visitor == "anonymous":
        return {LOGIN}
    if allowed == SIGNED_IN or visitor.startswith("half"):
        return {OK}
    role = ROLE_OF.get(visitor, visitor)
    refused = {FORBIDDEN, NOT_FOUND}
    if visitor == "outsider" and check.object_level:
        return {NOT_FOUND}
    if visitor in ("subject", "deputy subject") and check.case_level:
        return refused
    if role not in allowed:  # type: ignore[operator]
        return refused
    if visitor == "subject" and check.object_level:
        # A worker sees only what their groups hold; this one has none.
        return {OK, NOT_FOUND}
    # A write may find its object already used up by an earlier visitor.
    return {OK} if check.method == "GET" else {OK, NOT_FOUND}


# --- Enumerating ------------------------------------------------------------------------


def _patterns(
    resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        else:
            name = ":".join((*namespaces, entry.name or f"<{prefix}{entry.pattern}>"))
            yield name, prefix + str(entry.pattern), entry


@functools.cache
def _schema() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def _operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    schema = _schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield operation["operationId"], method.upper(), path, operation


def _api_url_names() -> set[str]:
    return {
        operation["operationId"].rsplit("_api_", 1)[1]
        for _, _, _, operation in _operations()
    }


def _admin_kwargs(route: str) -> dict[str, Any]:
    values = {
        "object_id": "1",
        "content_type_id": "1",
        "pk": 1,
        "app_label": "auth",
        "url": "nothing-here/",
    }
    return {key: value for key, value in values.items() if f"{key}>" in route}


def _kwargs(world: World, name: str, pattern: URLPattern) -> dict[str, Any]:
    objects = world.objects
    found: dict[str, Any] = {}
    for key in pattern.pattern.converters:  # type: ignore[attr-defined]
        if key == "code":
            kind = CODE_OF.get(name) or CODE_OF.get(name.split(":")[0])
            assert kind, f"Say in CODE_OF which object fills {name}'s code"
            found[key] = objects[kind].code
        elif key == "kind":
            found[key] = "person"
        elif key == "token":
            found[key] = world.org.report_token
        elif key == "uidb64":
            found[key] = "MQ"
        elif key in (
            "action_code",
            "share_code",
            "attachment_code",
            "hazard_code",
            "control_code",
        ):
            found[key] = objects[key.removesuffix("_code")].code
        else:
            raise AssertionError(f"Say how to fill {name}'s {key}")
    return found


def page_checks(world: World) -> Iterator[Check]:
    api_names = _api_url_names()
    for name, route, pattern in _patterns(get_resolver()):
        if name.startswith("api:") and name.removeprefix("api:") in api_names:
            continue  # an API operation: swept from the OpenAPI document
        admin = name.startswith("admin:")
        if admin:
            kwargs = _admin_kwargs(route)
            url = "/" + route.replace("^", "").replace("$", "")
            for key, value in kwargs.items():
                url = url.replace(f"(?P<{key}>auth|otp_totp|axes)", str(value))
                url = url.replace(f"(?P<{key}>.*)", str(value))
                for kind in ("path", "int"):
                    url = url.replace(f"<{kind}:{key}>", str(value))
            access: tuple[Allowed, Allowed] = (frozenset(), frozenset())
        else:
            assert name in PAGES, (
                f"{name} ({route}) is not in PAGES: say who may use it"
            )
            kwargs = _kwargs(world, name, pattern)
            url = reverse(name, kwargs=kwargs)
            access = PAGES[name]
        object_level = any(k in kwargs for k in ("code", "kind")) and not admin
        case_level = name.startswith("concerns:") and "code" in kwargs
        for method, allowed in zip(("GET", "POST"), access, strict=True):
            yield Check(
                what=name,
                method=method,
                url=url,
                allowed=allowed,
                object_level=object_level,
                case_level=case_level,
                admin=admin,
                half_open=name in HALF_SIGNED_IN_OPEN,
            )


def _example(schema: dict[str, Any], components: dict[str, Any], world: World) -> Any:
    """The smallest valid value for a request-body schema, from the world."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, world)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, world)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: _example(schema["properties"][name], components, world)
            for name in schema.get("required", [])
        }
    if kind == "array":
        return [_example(schema["items"], components, world)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        return {
            "uuid": str(world.objects["person"].code),
            "date": "2026-03-10",
            "date-time": "2026-03-10T10:00:00Z",
            "email": "sweep@example.org",
        }.get(schema.get("format", ""), "Sweep text")
    return None


def api_checks(world: World) -> Iterator[Check]:
    components = _schema()["components"]["schemas"]
    for operation_id, method, path, operation in _operations():
        assert operation_id in OPERATIONS, (
            f"{operation_id} ({method} {path}) is not in OPERATIONS: say who may use it"
        )
        url = path
        if "{code}" in path:
            part = path.removeprefix("/api/v1/").split("/{code}")[0]
            kind = API_CODE_OF.get(part) or API_CODE_OF[part.split("/")[0]]
            url = path.replace("{code}", str(world.objects[kind].code))
        body = None
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]["application/json"]
            body = _example(content["schema"], components, world)
        yield Check(
            what=operation_id,
            method=method,
            url=url,
            allowed=OPERATIONS[operation_id],
            object_level="{code}" in path,
            case_level="/concerns/cases/{code}" in path,
            body=body,
        )


# --- The sweep -------------------------------------------------------------------------------


def _request(client: Client, check: Check) -> Any:
    if check.body is not None:
        return client.generic(
            check.method,
            check.url,
            json.dumps(check.body),
            content_type="application/json",
        )
    return client.generic(check.method, check.url)


def _run(
    world: World, checks: list[Check], visitor: str, client: Client, seen: set[str]
) -> None:
    secrets = []
    if visitor == "outsider":
        secrets = world.org_secrets + world.case_secrets
    elif visitor in ("subject", "deputy subject"):
        secrets = world.case_secrets
    for check in checks:
        if visitor == "deputy subject" and not check.case_level:
            continue  # only the case about them is of interest
        if visitor == "half superuser" and not check.admin:
            continue
        if (check.admin or check.allowed is NOT_OFFERED) and visitor not in FEW:
            continue  # the same answer for everyone: a few visitors prove it
        url = check.url
        if visitor == "deputy subject":
            url = url.replace(
                str(world.objects["case"].code), str(world.deputy_case.code)
            )
            secrets = world.deputy_case_secrets
        response = _request(client, Check(**{**check.__dict__, "url": url}))
        got = outcome(response)
        want = expected(check, visitor)
        where = f"{visitor}: {check.method} {url} ({check.what})"
        if got not in want:
            check.problems.append(
                f"{where} -> {response.status_code} {got}, expected {sorted(want)}"
            )
            continue
        text = _text(response)
        if got == FORBIDDEN and not (
            check.admin or _is_json(response) or "site-header" in text
        ):
            check.problems.append(f"{where} -> a 403 page without our styling")
        if visitor == "lead":
            seen.update(s for s in world.all_secrets() if s in text)
        if secrets and response.status_code < HTTPStatus.MULTIPLE_CHOICES:
            leaked = [s for s in secrets if s in text]
            if leaked:
                check.problems.append(f"{where} -> shows {leaked}")


def _sweep(world: World, checks: list[Check]) -> list[str]:
    seen: set[str] = set()
    clients = {
        visitor: _client(world, visitor, user, verified)
        for visitor, user, verified in VISITORS
    }
    # Reads first, then writes, least trusted visitors first, so a write that
    # uses an object up cannot hide a refusal. Signing out comes last.
    reads = [c for c in checks if c.method == "GET"]
    writes = sorted(
        (c for c in checks if c.method != "GET"),
        key=lambda c: c.what == "accounts:logout",
    )
    for batch in (reads, writes):
        for visitor, _, _ in VISITORS:
            _run(world, batch, visitor, clients[visitor], seen)
    problems = [problem for check in checks for problem in check.problems]
    # The leak checks mean something only if the Lead does see these.
    unseen = set(world.all_secrets()) - seen
    return problems + [
        f"the Lead never saw {s!r}: a useless leak check" for s in unseen
    ]


def test_every_url_and_operation_refuses_whoever_may_not_use_it(world, settings):
    # Sessions in memory: the same sign-in, without a query per request.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    with time_machine.travel(TUESDAY_10AM + dt.timedelta(minutes=5), tick=True):
        problems = _sweep(world, [*page_checks(world), *api_checks(world)])
    assert not problems, f"{len(problems)} access problems:\n" + "\n".join(problems)


def test_the_tables_name_only_urls_and_operations_that_exist():
    names = {name for name, _, _ in _patterns(get_resolver())}
    operations = {operation_id for operation_id, _, _, _ in _operations()}
    assert set(PAGES) - names == set()
    assert set(OPERATIONS) - operations == set()


def _stand_in_world() -> World:
    """A world of codes only: enough to build every request, not to send it."""
    kinds = {*CODE_OF.values(), *API_CODE_OF.values(), "action", "share", "attachment"}
    objects = {kind: SimpleNamespace(code=uuid.uuid4()) for kind in kinds}
    org = SimpleNamespace(report_token="token")
    return World(org, objects, {}, [], [], [])  # type: ignore[arg-type]


def test_a_url_missing_from_the_table_fails_the_sweep(monkeypatch):
    monkeypatch.delitem(PAGES, "people:list")
    with pytest.raises(AssertionError, match=r"people:list .* is not in PAGES"):
        list(page_checks(_stand_in_world()))


def test_an_operation_missing_from_the_table_fails_the_sweep(monkeypatch):
    monkeypatch.delitem(OPERATIONS, "safecontact_concerns_api_get_case")
    with pytest.raises(AssertionError, match=r"get_case .* is not in OPERATIONS"):
        list(api_checks(_stand_in_world()))
