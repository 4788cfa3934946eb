"""The attention list: what in the register needs the Lead, each with its fix.

Each category is found by the database (``counts`` and ``rows``: a fixed
number of queries, whatever the size of the register) and only the rows on
the page shown are worded (``items``), by the Python deciders below, which
apply the same rules. The SQL conditions are built from the policy core's
cut-off dates (``born_on_or_before``, ``earliest_certificate``) and the
register's clearance in SQL (``cleared_q``); a randomised test checks that
conditions and deciders pick the same rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from safecontact.audits.models import AuditFinding
from safecontact.audits.selectors import attention_findings
from safecontact.groups.models import CHILDREN_AUDIENCES, Group, GroupMember, Platform
from safecontact.people.models import (
    Consent,
    Person,
    WorkerProfile,
)
from safecontact.people.selectors import (
    DUE_SOON_DAYS,
    AttentionItem,
    active_q,
    best_training,
    cleared_q,
    consent_covers,
    consent_state,
    latest_consents,
    newest_vetting,
    worker_clearance,
    worker_profile,
)
from safeguarding.policy import (
    ADULT_AGE,
    ConsentState,
    Workforce,
    born_on_or_before,
    earliest_certificate,
    renewal_date,
)

WORKER_CATEGORIES = ("vetting", "training")
MEMBER_CATEGORIES = ("consent", "ex_worker", "unchecked_adult", "under_age")
GROUP_CATEGORIES = ("platform", "personal_account")
# The categories this module finds, in the order the list shows them.
REGISTER_CATEGORIES = (
    *WORKER_CATEGORIES,
    *MEMBER_CATEGORIES,
    *GROUP_CATEGORIES,
    "group_audit",
)


# --- Counting and finding, in SQL --------------------------------------------------


def counts(organisation: Any, day: datetime.date) -> dict[str, int]:
    """How many items each register category has (5 queries)."""
    workers = _workers(organisation, day).aggregate(
        **{c: Count("pk", filter=q) for c, q in _worker_qs(organisation, day).items()}
    )
    members = _members(organisation).aggregate(
        **{c: Count("pk", filter=q) for c, q in _member_qs(organisation, day).items()}
    )
    groups = _groups(organisation).aggregate(
        **{c: Count("pk", filter=q) for c, q in _group_qs().items()}
    )
    found = {**workers, **members, **groups}
    found["group_audit"] = attention_findings(organisation).count()
    return {c: found[c] for c in REGISTER_CATEGORIES}


def total(organisation: Any, day: datetime.date) -> int:
    return sum(counts(organisation, day).values())


def rows(organisation: Any, day: datetime.date, category: str) -> QuerySet[Any]:
    """The rows behind one category, in the order the list shows them."""
    if category in WORKER_CATEGORIES:
        return (
            _workers(organisation, day)
            .filter(_worker_qs(organisation, day)[category])
            .order_by("last_name", "first_name", "pk")
        )
    if category in MEMBER_CATEGORIES:
        return (
            _members(organisation)
            .filter(_member_qs(organisation, day)[category])
            .order_by("group__name", "person__last_name", "person__first_name", "pk")
        )
    if category in GROUP_CATEGORIES:
        return (
            _groups(organisation).filter(_group_qs()[category]).order_by("name", "pk")
        )
    if category == "group_audit":
        return attention_findings(organisation).order_by("pk")
    raise ValueError(f"Not a register category: {category}")


def problem_counts(
    organisation: Any, day: datetime.date, group_ids: Sequence[int]
) -> Counter[tuple[int, str]]:
    """(group id, category) -> items, for the member categories (1 query)."""
    found: Counter[tuple[int, str]] = Counter()
    rows = (
        _members(organisation)
        .filter(group_id__in=list(group_ids))
        .values("group_id")
        .annotate(
            **{
                c: Count("pk", filter=q)
                for c, q in _member_qs(organisation, day).items()
            }
        )
    )
    for row in rows:
        for category in MEMBER_CATEGORIES:
            found[(row["group_id"], category)] = row[category]  # type: ignore[literal-required]
    return found


def _workers(organisation: Any, day: datetime.date) -> QuerySet[Person]:
    """Active workers (as ``active_workers``)."""
    return Person.objects.filter(active_q(day), organisation=organisation)


def _members(organisation: Any) -> QuerySet[GroupMember]:
    """Current memberships of live groups."""
    return GroupMember.objects.filter(
        group__organisation=organisation, group__archived_at=None, removed_at=None
    )


def _groups(organisation: Any) -> QuerySet[Group]:
    return Group.objects.filter(organisation=organisation, archived_at=None)


def _worker_qs(organisation: Any, day: datetime.date) -> dict[str, Q]:
    """What ``_vetting_item`` and ``_training_item`` decide, per worker.

    Read from the state row (``people.state``): the newest check it points to
    (none means no check at all) and the date the longest training lasts
    until; only the comparisons with the day are made here.
    """
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    years = organisation.vetting_renewal_years
    check = "state__vetting__"
    # Due within DUE_SOON_DAYS: add_years(issued, years) <= soon.
    # A renewal date on the check itself overrides the organisation's period.
    due = Q(**{f"{check}update_service": False}) & (
        Q(**{f"{check}renewal_due__lte": soon})
        | Q(
            **{
                f"{check}renewal_due__isnull": True,
                f"{check}certificate_date__lt": earliest_certificate(
                    soon + datetime.timedelta(days=1), years
                ),
            }
        )
    )
    return {
        "vetting": Q(state__vetting__isnull=True) | due,
        "training": Q(state__training_until__isnull=True)
        | Q(state__training_until__lte=soon),
    }


def _member_qs(organisation: Any, day: datetime.date) -> dict[str, Q]:
    """What the member deciders decide, per membership."""
    adult_born = born_on_or_before(day, ADULT_AGE)
    child = Q(person__kind=Person.Kind.CHILD)
    needs = needs_consent_q(day)
    # One list of leavers for the whole query (not a subquery per membership).
    left = Q(
        person_id__in=WorkerProfile.objects.filter(end_date__lt=day).values("person_id")
    )
    adult = (child & Q(person__date_of_birth__lte=adult_born)) | ~Q(
        person__kind__in=[Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK]
    )
    years = organisation.vetting_renewal_years
    cleared = cleared_q(day, years, Workforce.CHILDREN, ref="person_id")
    return {
        "consent": needs & ~consent_fits_q(day),
        "ex_worker": left,
        # Plain columns first: the database can skip the subqueries for most rows.
        "unchecked_adult": Q(group__audience__in=CHILDREN_AUDIENCES)
        & adult
        & ~left
        & ~cleared,
        "under_age": _under_age_q(organisation, day),
    }


def consent_fits_q(day: datetime.date) -> Q:
    """The member's newest consent fits the group and is in force on ``day``
    (for someone who needs consent, the opposite of the consent category).

    Read from the membership alone: ``people.state`` keeps on it the days
    that consent is in force from and until when it fits (names the group,
    or none, and allows one of its purposes) and is not withdrawn, so no
    join to the state row and the consent per membership. Only the
    comparison with the day is made here.
    """
    return Q(consent_from__lte=day) & (
        Q(consent_until__isnull=True) | Q(consent_until__gte=day)
    )


def needs_consent_q(day: datetime.date) -> Q:
    """A membership of someone contacted only with consent (``needs_consent``)."""
    return Q(person__kind=Person.Kind.ADULT_AT_RISK) | (
        Q(person__kind=Person.Kind.CHILD)
        & (
            Q(person__date_of_birth__isnull=True)
            | Q(person__date_of_birth__gt=born_on_or_before(day, ADULT_AGE))
        )
    )


def _under_age_q(organisation: Any, day: datetime.date) -> Q:
    """Under the platform's minimum age, or a child with no date of birth on a
    platform that has one (1 query for the minimum ages in use)."""
    minimums = set(
        Platform.objects.filter(organisation=organisation, minimum_age__gt=0)
        .values_list("minimum_age", flat=True)
        .distinct()
    )
    found = Q(
        group__platform__minimum_age__gt=0,
        person__kind=Person.Kind.CHILD,
        person__date_of_birth__isnull=True,
    )
    for minimum in sorted(minimums):
        found |= Q(
            group__platform__minimum_age=minimum,
            person__date_of_birth__gt=born_on_or_before(day, minimum),
        )
    return found


def _group_qs() -> dict[str, Q]:
    return {
        "platform": Q(platform__approved=False),
        "personal_account": Q(account=Group.Account.PERSONAL),
    }


# --- Wording the rows shown ------------------------------------------------------


def items(
    organisation: Any, day: datetime.date, category: str, found: Sequence[Any]
) -> list[AttentionItem]:
    """The items for ``found``, rows of ``rows(category)`` (a page of them)."""
    if category in WORKER_CATEGORIES:
        return _worker_items(organisation, day, category, found)
    if category in MEMBER_CATEGORIES:
        return _member_items(organisation, day, category, found)
    if category == "platform":
        return [_platform_item(g) for g in found]
    if category == "personal_account":
        return [_personal_account_item(g) for g in found]
    return [_audit_item(f) for f in found]


def attention_items(organisation: Any, day: datetime.date) -> list[AttentionItem]:
    """Everything in the register that needs the Lead, each with its fix.

    Builds only the rows that need attention (the database finds them).
    """
    found = []
    for category in REGISTER_CATEGORIES:
        found.extend(
            items(organisation, day, category, list(rows(organisation, day, category)))
        )
    return found


def _worker_items(
    organisation: Any, day: datetime.date, category: str, people: Sequence[Person]
) -> list[AttentionItem]:
    people = list(
        Person.objects.filter(pk__in=[p.pk for p in people])
        .order_by("last_name", "first_name", "pk")
        .prefetch_related("vetting_checks" if category == "vetting" else "training")
    )
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    if category == "training":
        return [i for p in people for i in _training_item(p, day, soon)]
    years = organisation.vetting_renewal_years
    return [i for p in people if (i := _vetting_item(p, day, years, soon))]


def _member_items(
    organisation: Any, day: datetime.date, category: str, found: Sequence[Any]
) -> list[AttentionItem]:
    members = list(
        GroupMember.objects.filter(pk__in=[m.pk for m in found])
        .select_related(
            "person",
            "person__worker",
            "group",
            "group__platform",
            "group__organisation",
        )
        .prefetch_related("group__purposes")
        .order_by("group__name", "person__last_name", "person__first_name", "pk")
    )
    if category == "consent":
        consents = latest_consents(organisation, [m.person_id for m in members])
        made = [_consent_item(m, consents.get(m.person_id), day) for m in members]
    elif category == "ex_worker":
        made = [_ex_worker_item(m, day) for m in members]
    elif category == "unchecked_adult":
        # Found by the database (``cleared_q``, through the state row): worded
        # as they are, without reading each one's checks and courses again.
        made = [_unchecked_adult_wording(m) for m in members]
    else:
        made = [_under_age_item(m, m.person.age(day)) for m in members]
    return [item for item in made if item is not None]


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
    due = renewal_date(
        check.certificate_date,
        years,
        update_service=check.update_service,
        renewal_due=check.renewal_due,
    )
    return due, ""


def _vetting_item(
    person: Person, day: datetime.date, years: int, soon: datetime.date
) -> AttentionItem | None:
    due, missing = _vetting_due(person, years)
    url = reverse("people:vetting", args=[person.code])
    if missing:
        return AttentionItem("vetting", person, missing, "Record a DBS check", url)
    if due is None or due > soon:
        return None
    return AttentionItem(
        "vetting",
        person,
        f"DBS check {_when(due, day)}.",
        "Record the renewed DBS check",
        url,
        due=due,
    )


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
    return _unchecked_adult_wording(member)


def _unchecked_adult_wording(member: Any) -> AttentionItem:
    person, group = member.person, member.group
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


def _platform_item(group: Group) -> AttentionItem:
    return AttentionItem(
        "platform",
        None,
        f"{group} uses {group.platform}, which is not approved.",
        "Review platforms",
        reverse("groups:platforms"),
        group=group,
    )


def _personal_account_item(group: Group) -> AttentionItem:
    return AttentionItem(
        "personal_account",
        None,
        f"{group} is run from a worker's personal account, so messages to it "
        "are blocked.",
        "Move it to an account the organisation holds",
        reverse("groups:edit", args=[group.code]),
        group=group,
    )


def _audit_item(finding: AuditFinding) -> AttentionItem:
    return AttentionItem(
        category="group_audit",
        person=finding.person,
        message=f"{finding.get_kind_display()} in {finding.audit.group}.",
        fix_label="See the finding",
        fix_url=f"{finding.audit.get_absolute_url()}#finding-{finding.code}",
        group=finding.audit.group,
    )
