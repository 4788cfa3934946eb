"""The attention list: what in the register needs the Lead, each with its fix."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.urls import reverse

from safecontact.audits.selectors import attention_findings
from safecontact.groups.models import GroupMember
from safecontact.people.models import Consent, Person
from safecontact.people.selectors import (
    DUE_SOON_DAYS,
    AttentionItem,
    active_workers,
    best_training,
    consent_covers,
    consent_state,
    latest_consents,
    needs_consent,
    newest_vetting,
    worker_clearance,
    worker_profile,
)
from safeguarding.policy import ADULT_AGE, ConsentState, add_years


def _when(due: datetime.date, day: datetime.date) -> str:
    if due < day:
        return f"expired on {due:%d %B %Y}"
    if due == day:
        return "is due today"
    return f"is due on {due:%d %B %Y} ({(due - day).days} days)"


def _vetting_due(person: Person, years: int) -> tuple[datetime.date | None, str]:
    check = newest_vetting(person)
    if check is None:
        return None, "No DBS check is recorded."
    if check.update_service:
        return None, ""
    return add_years(check.certificate_date, years), ""


def _worker_items(organisation: Any, day: datetime.date) -> list[AttentionItem]:
    items = []
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    years = organisation.vetting_renewal_years
    for person in active_workers(organisation, day):
        due, missing = _vetting_due(person, years)
        if missing:
            vetting_url = reverse("people:vetting", args=[person.code])
            items.append(
                AttentionItem(
                    "vetting", person, missing, "Record a DBS check", vetting_url
                )
            )
        elif due is not None and due <= soon:
            vetting_url = reverse("people:vetting", args=[person.code])
            items.append(
                AttentionItem(
                    "vetting",
                    person,
                    f"DBS check {_when(due, day)}.",
                    "Record the renewed DBS check",
                    vetting_url,
                    due=due,
                )
            )
        items.extend(_training_item(person, day, soon))
    return items


def _training_item(
    person: Person, day: datetime.date, soon: datetime.date
) -> list[AttentionItem]:
    course = best_training(person)
    if course is not None and course.expires_on > soon:
        return []
    url = reverse("people:training", args=[person.code])
    if course is None:
        return [
            AttentionItem(
                "training",
                person,
                "No safeguarding training is recorded.",
                "Record training",
                url,
            )
        ]
    if course.expires_on <= soon:
        message = f"Safeguarding training {_when(course.expires_on, day)}."
        return [
            AttentionItem(
                "training",
                person,
                message,
                "Record renewed training",
                url,
                due=course.expires_on,
            )
        ]
    return []


def _memberships(organisation: Any) -> list[Any]:
    members = list(
        GroupMember.objects.filter(
            group__organisation=organisation, group__archived_at=None, removed_at=None
        )
        .select_related(
            "person",
            "person__worker",
            "group",
            "group__platform",
            "group__organisation",
        )
        .prefetch_related("group__purposes")
        .order_by("group__name", "person__last_name", "person__first_name")
    )
    # Checks and training matter only for adults in children's groups: load
    # those (2 queries) rather than for every child in every group.
    # A year's margin on age: the organisation's day may differ from the
    # server's, and anyone not loaded here is still read (one query) if needed.
    today = datetime.date.today()  # noqa: DTZ011
    adults = [
        m.person
        for m in members
        if m.group.for_children
        and (
            m.person.kind != Person.Kind.CHILD
            or (m.person.age(today) or 0) >= ADULT_AGE - 1
        )
    ]
    prefetch_related_objects(adults, "vetting_checks", "training")
    return members


def _consent_item(
    member: Any, consent: Consent | None, day: datetime.date
) -> AttentionItem | None:
    person, group = member.person, member.group
    state = consent_state(consent, day)
    if state is ConsentState.CURRENT:
        if not consent_covers(consent, group.pk, day):
            message = f"Consent does not cover {group}."
        elif consent and not _shares_a_purpose(consent, group):
            message = f"Consent allows none of the purposes of {group}."
        else:
            return None
    else:
        message = f"Consent is {state.label} and they are in {group}."
    url = reverse("people:consent", args=[person.code])  # only for a listed item
    return AttentionItem("consent", person, message, "Record consent", url, group=group)


def _shares_a_purpose(consent: Consent, group: Any) -> bool:
    allowed = getattr(consent, "allowed_purposes", None)
    if allowed is None:
        allowed = {p.pk for p in consent.purposes.all()}
    return any(p.pk in allowed for p in group.purposes.all())


def _member_items(
    member: Any, day: datetime.date, consents: dict[int, Consent]
) -> list[AttentionItem]:
    person = member.person
    age = person.age(day)
    found = [
        _consent_item(member, consents.get(person.pk), day)
        if needs_consent(person.kind, age)
        else None,
        _ex_worker_item(member, day) or _unchecked_adult_item(member, age, day),
        _under_age_item(member, age),
    ]
    return [item for item in found if item is not None]


def _member_url(member: Any) -> str:
    return reverse("groups:detail", args=[member.group.code]) + f"#member-{member.code}"


def _ex_worker_item(member: Any, day: datetime.date) -> AttentionItem | None:
    profile = worker_profile(member.person)
    if profile is None or profile.end_date is None or profile.end_date >= day:
        return None
    return AttentionItem(
        "ex_worker",
        member.person,
        f"Left on {profile.end_date:%d %B %Y} but is still in {member.group}.",
        f"Remove from {member.group}",
        _member_url(member),
        group=member.group,
    )


def _unchecked_adult_item(
    member: Any, age: int | None, day: datetime.date
) -> AttentionItem | None:
    person, group = member.person, member.group
    if not group.for_children or not _is_adult_in_childrens_group(person, age):
        return None
    # The renewal period comes from the group, already loaded: no query per adult.
    years = group.organisation.vetting_renewal_years
    if worker_clearance(person, day, years).children:
        return None
    return AttentionItem(
        "unchecked_adult",
        person,
        f"An adult without a current DBS check in {group}, a children's group.",
        "Record a DBS check, or remove them from the group",
        reverse("people:vetting", args=[person.code]),
        group=group,
    )


def _under_age_item(member: Any, age: int | None) -> AttentionItem | None:
    person, group = member.person, member.group
    minimum = group.platform.minimum_age
    if not minimum:
        return None
    if age is None and person.kind == Person.Kind.CHILD:
        return AttentionItem(
            "under_age",
            person,
            f"No date of birth, so nobody can tell if they are old enough for "
            f"{group.platform} ({minimum}+).",
            "Add their date of birth",
            reverse("people:edit", args=[person.code]),
            group=group,
        )
    if age is None or age >= minimum:
        return None
    return AttentionItem(
        "under_age",
        person,
        f"Aged {age}, under {group.platform}'s minimum age of {minimum}, in {group}.",
        f"Remove from {group} or move the group to another platform",
        _member_url(member),
        group=group,
    )


def _is_adult_in_childrens_group(person: Person, age: int | None) -> bool:
    if person.kind == Person.Kind.CHILD:
        return age is not None and age >= ADULT_AGE  # turned 18: adult rules now apply
    return person.kind != Person.Kind.ADULT_AT_RISK


def _platform_items(organisation: Any) -> list[AttentionItem]:
    from safecontact.groups.models import Group

    groups = Group.objects.filter(
        organisation=organisation, archived_at=None, platform__approved=False
    ).select_related("platform")
    return [
        AttentionItem(
            "platform",
            None,
            f"{g} uses {g.platform}, which is not approved.",
            "Review platforms",
            reverse("groups:platforms"),
            group=g,
        )
        for g in groups
    ]


def _personal_account_items(organisation: Any) -> list[AttentionItem]:
    from safecontact.groups.models import Group

    groups = Group.objects.filter(
        organisation=organisation, archived_at=None, account=Group.Account.PERSONAL
    )
    return [
        AttentionItem(
            "personal_account",
            None,
            f"{g} is run from a worker's personal account, so messages to it "
            "are blocked.",
            "Move it to an account the organisation holds",
            reverse("groups:edit", args=[g.code]),
            group=g,
        )
        for g in groups
    ]


def attention_items(organisation: Any, day: datetime.date) -> list[AttentionItem]:
    """Everything in the register that needs the Lead, each with its fix."""
    items = _worker_items(organisation, day)
    members = _memberships(organisation)
    consents = latest_consents(organisation)
    for member in members:
        items.extend(_member_items(member, day, consents))
    items.extend(_platform_items(organisation))
    items.extend(_personal_account_items(organisation))
    items.extend(_audit_items(organisation))
    return items


def _audit_items(organisation: Any) -> list[AttentionItem]:
    return [
        AttentionItem(
            category="group_audit",
            person=finding.person,
            message=f"{finding.get_kind_display()} in {finding.audit.group}.",
            fix_label="See the finding",
            fix_url=f"{finding.audit.get_absolute_url()}#finding-{finding.code}",
            group=finding.audit.group,
        )
        for finding in attention_findings(organisation)
    ]
