"""Every write to policies, their versions and acknowledgements goes through here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.people.models import Person
from safecontact.people.services import require_lead
from safecontact.policies.models import Acknowledgement, Policy, PolicyVersion
from safecontact.policies.selectors import current_version
from safeguarding.governance import next_review

SETTING_FIELDS = (
    "title",
    "area",
    "audience",
    "owner",
    "review_months",
    "blocks_contact",
)
MAX_BODY = 200_000


def _check_body(body: str) -> str:
    body = body.replace("\x00", "").strip()
    if not body:
        raise ValidationError({"body": "Write the policy's text."})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": f"The text is too long: keep it under {MAX_BODY:,} characters."}
        )
    return body


def _check_settings(policy: Policy) -> None:
    if policy.blocks_contact and policy.area != Policy.Area.CONDUCT:
        raise ValidationError(
            {"blocks_contact": "Only a code of conduct can stop contact rights."}
        )
    policy.full_clean(exclude=["organisation"])


@transaction.atomic(durable=True)
def create_policy(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    area: str,
    body: str,
    audience: str = Policy.Audience.EVERYONE,
    owner: User | None = None,
    review_months: int = 12,
    blocks_contact: bool = False,
) -> Policy:
    """A new policy with its first draft; nothing is asked of workers yet."""
    require_lead(actor, organisation)
    policy = Policy(
        organisation=organisation,
        title=title.strip(),
        area=area,
        audience=audience,
        owner=owner or actor,
        review_months=review_months,
        blocks_contact=blocks_contact,
    )
    _check_settings(policy)
    save_and_record(actor=actor, organisation=organisation, obj=policy, before=None)
    draft = PolicyVersion.objects.create(
        policy=policy, number=1, body=_check_body(body), created_by=actor
    )
    save_and_record(actor=actor, organisation=organisation, obj=draft, before=None)
    return policy


@transaction.atomic(durable=True)
def update_policy(*, actor: User, policy: Policy, **changes: Any) -> Policy:
    """Change a policy's title, audience, owner, review period or binding."""
    require_lead(actor, policy.organisation_id)
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"Not a policy setting: {sorted(unknown)}")
    before = snapshot(policy)
    for name, value in changes.items():
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    owner = changes.get("owner")
    if owner is not None and owner.organisation_id != policy.organisation_id:
        raise ValidationError({"owner": "Choose someone in your organisation."})
    _check_settings(policy)
    save_and_record(
        actor=actor, organisation=policy.organisation, obj=policy, before=before
    )
    return policy


@transaction.atomic(durable=True)
def save_draft(
    *, actor: User, policy: Policy, body: str, change_note: str = ""
) -> PolicyVersion:
    """Write the draft's text, starting a new draft after the version in force."""
    require_lead(actor, policy.organisation_id)
    body = _check_body(body)
    draft = policy.versions.filter(published_at=None).first()
    if draft is None:
        last = policy.versions.aggregate(n=Max("number"))["n"] or 0
        draft = PolicyVersion(policy=policy, number=last + 1, created_by=actor)
        before = None
    else:
        before = snapshot(draft)
    draft.body = body
    draft.change_note = change_note.strip()[:300]
    save_and_record(
        actor=actor, organisation=policy.organisation, obj=draft, before=before
    )
    return draft


@transaction.atomic(durable=True)
def publish_draft(
    *, actor: User, policy: Policy, now: dt.datetime | None = None
) -> PolicyVersion:
    """Put the draft in force: every worker it applies to is asked to read it."""
    require_lead(actor, policy.organisation_id)
    if policy.retired_at is not None:
        raise ValidationError("This policy is retired: restore it before publishing.")
    now = now or timezone.now()
    draft = policy.versions.select_for_update().filter(published_at=None).first()
    if draft is None:
        raise ValidationError("There is no draft to publish: edit the policy first.")
    before = snapshot(draft)
    draft.published_at = now
    draft.published_by = actor
    save_and_record(
        actor=actor,
        organisation=policy.organisation,
        obj=draft,
        before=before,
        update_fields=["published_at", "published_by"],
    )
    _set_review(actor, policy, now)
    return draft


def _set_review(actor: User, policy: Policy, now: dt.datetime) -> None:
    before = snapshot(policy)
    policy.review_due = next_review(timezone.localdate(now), policy.review_months)
    save_and_record(
        actor=actor,
        organisation=policy.organisation,
        obj=policy,
        before=before,
        update_fields=["review_due"],
    )


@transaction.atomic(durable=True)
def mark_reviewed(
    *, actor: User, policy: Policy, now: dt.datetime | None = None
) -> Policy:
    """Record a review that found nothing to change: the next review is set."""
    require_lead(actor, policy.organisation_id)
    if current_version(policy) is None:
        raise ValidationError("Publish the policy before recording a review.")
    _set_review(actor, policy, now or timezone.now())
    return policy


@transaction.atomic(durable=True)
def set_retired(*, actor: User, policy: Policy, retired: bool) -> Policy:
    """Retire a policy (kept, with its history) or bring it back."""
    require_lead(actor, policy.organisation_id)
    before = snapshot(policy)
    policy.retired_at = timezone.now() if retired else None
    if retired:
        policy.blocks_contact = False
    save_and_record(
        actor=actor,
        organisation=policy.organisation,
        obj=policy,
        before=before,
        update_fields=["retired_at", "blocks_contact"],
    )
    return policy


def _acknowledge_once(
    *, actor: User, version: PolicyVersion, person: Person, how: str, at: dt.datetime
) -> Acknowledgement:
    current = current_version(version.policy)
    if current is None or current.pk != version.pk:
        raise ValidationError(
            "This is not the version in force any more: read the current one."
        )
    existing = Acknowledgement.objects.filter(version=version, person=person).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(
                version=version,
                person=person,
                how=how,
                acknowledged_at=at,
                recorded_by=actor,
            )
    except IntegrityError:  # two clicks at once: the first one counts
        return Acknowledgement.objects.get(version=version, person=person)
    # Already inserted above: this only writes the audit entry.
    save_and_record(
        actor=actor, organisation=version.policy.organisation, obj=ack, before=None
    )
    return ack


@transaction.atomic(durable=True)
def acknowledge(
    *, actor: User, version: PolicyVersion, now: dt.datetime | None = None
) -> Acknowledgement:
    """The signed-in worker confirms they have read the version in force."""
    person = Person.objects.filter(user=actor).first()
    if person is None or person.organisation_id != version.policy.organisation_id:
        raise PermissionDenied(
            "Your login is not linked to a record in the register: ask the "
            "Safeguarding Lead to link it."
        )
    return _acknowledge_once(
        actor=actor,
        version=version,
        person=person,
        how=Acknowledgement.How.ONLINE,
        at=now or timezone.now(),
    )


@transaction.atomic(durable=True)
def record_paper_acknowledgement(
    *, actor: User, version: PolicyVersion, person: Person, on: dt.date
) -> Acknowledgement:
    """The Lead records that a worker signed the policy on paper."""
    require_lead(actor, version.policy.organisation_id)
    if person.organisation_id != version.policy.organisation_id:
        raise PermissionDenied("That person is not in your organisation.")
    if version.published_at and on < timezone.localdate(version.published_at):
        raise ValidationError({"on": "The date is before this version was published."})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date cannot be in the future."})
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    return _acknowledge_once(
        actor=actor,
        version=version,
        person=person,
        how=Acknowledgement.How.PAPER,
        at=at,
    )
