"""Who a case goes to and who may read it: the rules that protect the reporter.

- A concern goes to the Safeguarding Lead and deputies.
- A concern about a named person never reaches that person, whoever they are.
- A concern about the Lead goes to the deputies and the organisation's named
  trustee instead (``RoutingSettings.named_trustee``).
- If that leaves nobody (no deputy, no named trustee), every trustee receives
  it: a concern is never left unread.
- Anyone else reads a case only if a recipient shared it with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safecontact.accounts.models import Organisation, User
from safecontact.concerns.models import Case, RoutingSettings
from safecontact.people.selectors import active_workers


def named_trustee(organisation: Organisation) -> User | None:
    routing = (
        RoutingSettings.objects.select_related("named_trustee")
        .filter(organisation=organisation)
        .first()
    )
    trustee = routing.named_trustee if routing else None
    if trustee is None or not trustee.is_active or trustee.role != User.Role.TRUSTEE:
        return None
    return trustee


def recipients(case: Case) -> list[User]:
    """The people who receive and manage this case, never its subject."""
    org_users = User.objects.filter(organisation=case.organisation_id, is_active=True)
    about = case.about_user
    about_lead = about is not None and about.role == User.Role.LEAD
    roles = [User.Role.DEPUTY] if about_lead else [User.Role.LEAD, User.Role.DEPUTY]
    people = list(org_users.filter(role__in=roles).order_by("role", "id"))
    if about_lead:
        trustee = named_trustee(case.organisation)
        if trustee is not None:
            people.append(trustee)
    people = [u for u in people if u.pk != case.about_user_id]
    if not people:
        # Nobody left (no deputy, no named trustee): a concern must never go
        # unread, so every trustee receives it.
        people = list(org_users.filter(role=User.Role.TRUSTEE).order_by("id"))
    return [u for u in people if u.pk != case.about_user_id]


def can_manage(user: User, case: Case) -> bool:
    if user.organisation_id != case.organisation_id or user.pk == case.about_user_id:
        return False
    return any(u.pk == user.pk for u in recipients(case))


def can_view(user: User, case: Case) -> bool:
    if user.organisation_id != case.organisation_id or user.pk == case.about_user_id:
        return False
    return can_manage(user, case) or case.shares.filter(user=user).exists()


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case ``user`` may read, newest first."""
    cases = Case.objects.filter(organisation=user.organisation_id).exclude(
        about_user=user.pk
    )
    shared = Q(shares__user=user)
    if user.role == User.Role.LEAD:
        allowed = ~Q(about_user__role=User.Role.LEAD) | Q(about_user__isnull=True)
        return cases.filter(allowed | shared).distinct()
    if user.role == User.Role.DEPUTY:
        return cases.distinct()
    if user.role == User.Role.TRUSTEE:
        # Few cases reach a trustee; the routing rules decide case by case.
        routed = cases.filter(about_user__role__in=[User.Role.LEAD, User.Role.DEPUTY])
        ids = [case.pk for case in routed if can_manage(user, case)]
        return cases.filter(Q(pk__in=ids) | shared).distinct()
    return cases.filter(shared).distinct()


# --- Who a public reporter may name ---------------------------------------

LEAD_CHOICE = "lead"


@dataclass(frozen=True)
class Helper:
    """Someone who helps at the organisation, as a public form may show them.

    Only a first name and a role: never a surname or a contact detail. ``key``
    is an opaque keyed hash, so the page reveals no record id.
    """

    key: str
    label: str
    user: User | None
    description: str


def _key(kind: str, code: object) -> str:
    key = salted_hmac("concerns.helper", f"{kind}:{code}", algorithm="sha256")
    return key.hexdigest()[:20]


def helpers(organisation: Organisation) -> list[Helper]:
    """Active workers in the register, and deputies and workers who log in.

    The Safeguarding Lead is left out: the form offers "the Safeguarding Lead"
    by role, without a name.
    """
    found: list[Helper] = []
    linked: set[int] = set()
    for person in active_workers(organisation, timezone.localdate()):
        if person.user_id is not None:
            linked.add(person.user_id)
            if person.user is not None and person.user.role == User.Role.LEAD:
                continue
        role = person.worker.role_title or person.worker.get_employment_display()
        label = f"{person.first_name}, {role}"
        found.append(Helper(_key("p", person.code), label, person.user, label))
    users = User.objects.filter(
        organisation=organisation,
        is_active=True,
        role__in=[User.Role.DEPUTY, User.Role.WORKER],
    ).exclude(pk__in=linked)
    for user in users.order_by("first_name", "id"):
        label = f"{user.first_name or 'Unnamed'}, {user.get_role_display()}"
        found.append(Helper(_key("u", user.code), label, user, label))
    return sorted(found, key=lambda h: h.label.casefold())


def the_lead(organisation: Organisation) -> User | None:
    return (
        User.objects.filter(
            organisation=organisation, is_active=True, role=User.Role.LEAD
        )
        .order_by("id")
        .first()
    )
