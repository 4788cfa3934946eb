"""Every write to a concern or case goes through here.

Each function checks the actor may do it, writes in one transaction with its
audit entry, and adds the automatic chronology entry. Audit entries never hold
encrypted fields: they record that something changed, not what the case says.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import record_access, save_and_record, snapshot
from safecontact.concerns import evidence as evidence_lookup
from safecontact.concerns.crypto import encrypt_bytes, encrypted_field_names
from safecontact.concerns.images import CleanImage
from safecontact.concerns.models import (
    Action,
    Attachment,
    Case,
    CaseShare,
    ChronologyEntry,
    Decision,
    Evidence,
    Referral,
    ReportThrottle,
    RoutingSettings,
    Tombstone,
)
from safecontact.concerns.retention import keep_until
from safecontact.concerns.selectors import can_manage, can_view, recipients
from safecontact.notifications.services import concern_reported

logger = logging.getLogger(__name__)

# Letters and digits nobody misreads aloud or on paper (no 0/O, 1/I/L, 5/S, 8/B).
REFERENCE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
REPORTS_PER_HOUR = 10


def _hidden(obj: models.Model) -> set[str]:
    return set(encrypted_field_names(type(obj))) | {"data"}


def _snap(obj: models.Model) -> dict[str, Any]:
    return snapshot(obj, exclude=_hidden(obj))


def _chronicle(
    case: Case,
    kind: str,
    text: str,
    *,
    author: User | None,
    when: datetime.datetime | None = None,
) -> ChronologyEntry:
    return ChronologyEntry.objects.create(
        case=case,
        kind=kind,
        text=text,
        author=author,
        occurred_at=when or timezone.now(),
    )


def _require_manager(actor: User, case: Case) -> None:
    if not can_manage(actor, case):
        raise PermissionDenied("Only the people this case was sent to can change it.")


def _actor_label(actor: User | None) -> str:
    return str(actor) if actor is not None else "SafeContact"


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SC-{chars[:4]}-{chars[4:]}"


# --- Reporting ------------------------------------------------------------


@dataclass(frozen=True)
class ConcernReport:
    """What a reporter told us, from any of the forms or the API."""

    narrative: str
    about: str = Case.About.UNSURE
    about_description: str = ""
    anonymous: bool = True
    reporter_name: str = ""
    reporter_contact: str = ""
    reporter_relation: str = ""
    images: Sequence[CleanImage] = ()
    evidence: Sequence[tuple[str, str]] = field(default_factory=tuple)


def _check_report(report: ConcernReport, organisation: Organisation) -> None:
    if not report.narrative.strip():
        raise ValidationError({"narrative": "Tell us what happened."})
    if report.about not in Case.About.values:
        raise ValidationError({"about": "Choose who the concern is about."})
    if not report.anonymous and not report.reporter_contact.strip():
        raise ValidationError(
            {
                "reporter_contact": "Tell us how to reach you, or choose to stay anonymous."
            }
        )
    for kind, ref in report.evidence:
        evidence_lookup.validate(kind, ref, organisation)


def _new_case(
    organisation: Organisation,
    report: ConcernReport,
    *,
    actor: User | None,
    source: str,
    form: str,
    about_user: User | None,
) -> Case:
    for _ in range(5):
        case = Case(
            organisation=organisation,
            reference=new_reference(),
            source=source,
            form=form,
            narrative=report.narrative.strip(),
            about=report.about,
            about_description=report.about_description.strip(),
            about_user=about_user,
            anonymous=report.anonymous,
            reporter_name="" if report.anonymous else report.reporter_name.strip(),
            reporter_contact=""
            if report.anonymous
            else report.reporter_contact.strip(),
            reporter_relation=report.reporter_relation[:32],
            reported_by=actor,
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:  # reference collision: astronomically rare, retry
            continue
        return case
    raise RuntimeError("Could not allocate a unique case reference.")


@transaction.atomic
def report_concern(
    *,
    actor: User | None,
    organisation: Organisation,
    report: ConcernReport,
    source: str,
    form: str,
    about_user: User | None = None,
) -> Case:
    """Record a concern as a new case and tell its recipients (without content)."""
    if actor is not None and actor.organisation_id != organisation.pk:
        raise PermissionDenied("You can only report to your own organisation.")
    if about_user is not None and about_user.organisation_id != organisation.pk:
        raise ValidationError({"about_user": "Choose someone in your organisation."})
    _check_report(report, organisation)
    case = _new_case(
        organisation,
        report,
        actor=actor,
        source=source,
        form=form,
        about_user=about_user,
    )
    _chronicle(
        case,
        ChronologyEntry.Kind.REPORT,
        f"Concern reported ({case.get_source_display()}, {case.get_form_display()}).",
        author=actor,
        when=case.created_at,
    )
    for image in report.images:
        _attach(case, image)
    for kind, ref in report.evidence:
        _link(case, kind, ref, actor=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=case,
        before=None,
        exclude=_hidden(case),
        case=case,
    )
    notify(case, recipients(case))
    return case


def _attach(case: Case, image: CleanImage) -> Attachment:
    return Attachment.objects.create(
        case=case,
        data=encrypt_bytes(image.data),
        content_type=image.content_type,
        size=len(image.data),
        width=image.width,
        height=image.height,
    )


def _link(case: Case, kind: str, ref: str, *, actor: User | None) -> Evidence:
    item, _ = Evidence.objects.get_or_create(
        case=case, kind=kind, ref=str(ref), defaults={"added_by": actor}
    )
    found = evidence_lookup.resolve(kind, str(ref), case.organisation)
    label = Evidence.Kind(kind).label
    text = f"{label} {str(ref)[:8]} linked as evidence"
    text += f": {found.label}." if found else "."
    when = found.occurred_at if found and found.occurred_at else None
    _chronicle(case, ChronologyEntry.Kind.EVIDENCE, text, author=actor, when=when)
    return item


def notify(case: Case, people: Sequence[User]) -> int:
    """Tell each person a case needs attention: a link, never the content.

    Queued with the case (the notifications outbox retries a mail server
    that is down) and sent straight after commit.
    """
    return concern_reported(case, people)


def allow_public_report(*, organisation: Organisation, client_address: str) -> bool:
    """Count this attempt; False once an address has sent too many this hour."""
    now = timezone.now()
    key = hashlib.sha256(
        f"{settings.SECRET_KEY}|{organisation.pk}|{client_address}".encode()
    ).hexdigest()
    hour_ago = now - datetime.timedelta(hours=1)
    ReportThrottle.objects.filter(at__lt=hour_ago).delete()
    if (
        ReportThrottle.objects.filter(key=key, at__gte=hour_ago).count()
        >= REPORTS_PER_HOUR
    ):
        return False
    ReportThrottle.objects.create(key=key, at=now)
    return True


# --- Working the case -----------------------------------------------------


def record_case_access(*, actor: User, case: Case, action: str = "view") -> None:
    record_access(actor=actor, organisation=case.organisation, obj=case, action=action)


@transaction.atomic
def triage_case(
    *,
    actor: User,
    case: Case,
    category: str,
    risk: str,
    about: str,
    about_user: User | None,
) -> Case:
    _require_manager(actor, case)
    if about_user is not None and about_user.organisation_id != case.organisation_id:
        raise ValidationError({"about_user": "Choose someone in your organisation."})
    if about_user is not None and about_user.pk == actor.pk:
        raise ValidationError(
            {"about_user": "You cannot name yourself: ask your deputy to triage this."}
        )
    before, old_people = _snap(case), {u.pk for u in recipients(case)}
    case.category, case.risk, case.about = category, risk, about
    case.about_user = about_user
    case.triaged_at = case.triaged_at or timezone.now()
    if case.status == Case.Status.NEW:
        case.status = Case.Status.OPEN
    case.full_clean()
    if about_user is not None:
        case.shares.filter(user=about_user).delete()
    text = f"Triaged: {case.get_category_display()}, risk {case.get_risk_display().lower()}."
    _chronicle(case, ChronologyEntry.Kind.TRIAGE, text, author=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=case,
        before=before,
        exclude=_hidden(case),
        case=case,
    )
    added = [u for u in recipients(case) if u.pk not in old_people]
    if added:
        notify(case, added)
    return case


@transaction.atomic
def add_chronology_entry(
    *, actor: User, case: Case, text: str, occurred_at: datetime.datetime | None = None
) -> ChronologyEntry:
    _require_manager(actor, case)
    if not text.strip():
        raise ValidationError({"text": "Write what happened."})
    when = occurred_at or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "That date is in the future."})
    entry = _chronicle(
        case, ChronologyEntry.Kind.MANUAL, text.strip(), author=actor, when=when
    )
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=entry,
        before=None,
        exclude=_hidden(entry),
        case=case,
    )
    return entry


@transaction.atomic
def link_evidence(*, actor: User, case: Case, kind: str, ref: str) -> Evidence:
    _require_manager(actor, case)
    evidence_lookup.validate(kind, ref, case.organisation)
    item = _link(case, kind, ref, actor=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=item,
        before=None,
        exclude=_hidden(item),
        case=case,
    )
    return item


@transaction.atomic
def add_action(
    *, actor: User, case: Case, description: str, owner: User, due_on: datetime.date
) -> Action:
    _require_manager(actor, case)
    if owner.organisation_id != case.organisation_id or owner.pk == case.about_user_id:
        raise ValidationError({"owner": "Choose someone who may work on this case."})
    action = Action.objects.create(
        case=case,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    text = f"Action for {owner}, due {due_on:%d %b %Y}: {action.description}"
    _chronicle(case, ChronologyEntry.Kind.ACTION, text, author=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=action,
        before=None,
        exclude=_hidden(action),
        case=case,
    )
    return action


@transaction.atomic
def complete_action(*, actor: User, action: Action) -> Action:
    case = action.case
    _require_manager(actor, case)
    if action.done_at is not None:
        return action
    before = _snap(action)
    action.done_at = timezone.now()
    text = f"Action done: {action.description}"
    _chronicle(case, ChronologyEntry.Kind.ACTION, text, author=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=action,
        before=before,
        update_fields=["done_at"],
        exclude=_hidden(action),
        case=case,
    )
    return action


@transaction.atomic
def record_decision(
    *, actor: User, case: Case, decision: str, rationale: str
) -> Decision:
    _require_manager(actor, case)
    if not decision.strip() or not rationale.strip():
        raise ValidationError(
            {"rationale": "Write the decision and the reasons for it."}
        )
    item = Decision.objects.create(
        case=case,
        decision=decision.strip(),
        rationale=rationale.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    text = f"Decision: {item.decision} Reason: {item.rationale}"
    _chronicle(case, ChronologyEntry.Kind.DECISION, text, author=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=item,
        before=None,
        exclude=_hidden(item),
        case=case,
    )
    return item


@transaction.atomic
def record_referral(
    *,
    actor: User,
    case: Case,
    agency: str,
    made_on: datetime.date,
    reference_number: str = "",
    outcome: str = "",
    made_by: User | None = None,
) -> Referral:
    _require_manager(actor, case)
    if agency not in Referral.Agency.values:
        raise ValidationError({"agency": "Choose who the referral went to."})
    if made_on > timezone.localdate():
        raise ValidationError({"made_on": "The referral date cannot be in the future."})
    referral = Referral.objects.create(
        case=case,
        agency=agency,
        made_on=made_on,
        made_by=made_by or actor,
        reference_number=reference_number.strip(),
        outcome=outcome.strip(),
    )
    text = f"Referral to {referral.get_agency_display()}"
    text += (
        f", their reference {referral.reference_number}." if reference_number else "."
    )
    when = timezone.make_aware(datetime.datetime.combine(made_on, datetime.time(12)))
    _chronicle(
        case,
        ChronologyEntry.Kind.REFERRAL,
        text,
        author=actor,
        when=min(when, timezone.now()),
    )
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=referral,
        before=None,
        exclude=_hidden(referral),
        case=case,
    )
    return referral


@transaction.atomic
def share_case(*, actor: User, case: Case, user: User) -> CaseShare:
    _require_manager(actor, case)
    if user.organisation_id != case.organisation_id:
        raise ValidationError({"user": "Choose someone in your organisation."})
    if user.pk == case.about_user_id:
        raise ValidationError(
            {
                "user": "This concern is about that person, so it cannot be shared with them."
            }
        )
    share, created = CaseShare.objects.get_or_create(
        case=case, user=user, defaults={"shared_by": actor}
    )
    if created:
        _chronicle(
            case, ChronologyEntry.Kind.SHARE, f"Shared with {user}.", author=actor
        )
        save_and_record(
            actor=actor,
            organisation=case.organisation,
            obj=share,
            before=None,
            exclude=_hidden(share),
            case=case,
        )
    return share


@transaction.atomic
def unshare_case(*, actor: User, share: CaseShare) -> None:
    case = share.case
    _require_manager(actor, case)
    before = _snap(share)
    _chronicle(
        case,
        ChronologyEntry.Kind.SHARE,
        f"No longer shared with {share.user}.",
        author=actor,
    )
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=share,
        before=before,
        action="delete",
        exclude=_hidden(share),
        case=case,
    )
    share.delete()


@transaction.atomic
def close_case(*, actor: User, case: Case, outcome: str, note: str = "") -> Case:
    _require_manager(actor, case)
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"outcome": "This case is already closed."})
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if not case.category:
        raise ValidationError({"outcome": "Triage the case before closing it."})
    before = _snap(case)
    case.status, case.outcome, case.outcome_note = Case.Status.CLOSED, outcome, note
    case.closed_at = timezone.now()
    text = f"Closed: {case.get_outcome_display()}."
    _chronicle(case, ChronologyEntry.Kind.STATUS, text, author=actor)
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=case,
        before=before,
        exclude=_hidden(case),
        case=case,
    )
    return case


@transaction.atomic
def set_named_trustee(
    *, actor: User, organisation: Organisation, trustee: User | None
) -> RoutingSettings:
    if not actor.is_lead or actor.organisation_id != organisation.pk:
        raise PermissionDenied("Only the Safeguarding Lead or deputy can change this.")
    if trustee is not None and (
        trustee.organisation_id != organisation.pk or trustee.role != User.Role.TRUSTEE
    ):
        raise ValidationError(
            {"named_trustee": "Choose a trustee of this organisation."}
        )
    routing, _ = RoutingSettings.objects.get_or_create(organisation=organisation)
    before = _snap(routing)
    routing.named_trustee = trustee
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=routing,
        before=before,
        exclude=_hidden(routing),
    )
    return routing


# --- Deletion and retention -----------------------------------------------


@transaction.atomic
def delete_case(*, actor: User | None, case: Case, reason: str) -> Tombstone:
    """Delete a case and everything in it, leaving a tombstone and an audit entry."""
    if actor is not None:
        _require_manager(actor, case)
        if not actor.is_lead:
            raise PermissionDenied(
                "Only the Safeguarding Lead or deputy can delete a case."
            )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is being deleted."})
    tombstone = Tombstone.objects.create(
        organisation=case.organisation,
        reference=case.reference,
        category=case.category,
        case_created_at=case.created_at,
        case_closed_at=case.closed_at,
        deleted_by=actor,
        deleted_by_label=_actor_label(actor),
        reason=reason.strip()[:300],
    )
    save_and_record(
        actor=actor,
        organisation=case.organisation,
        obj=case,
        before=_snap(case),
        action="delete",
        exclude=_hidden(case),
        case=case,
    )
    case.delete()
    return tombstone


def expired_cases(now: datetime.datetime) -> list[Case]:
    closed = Case.objects.filter(status=Case.Status.CLOSED, closed_at__isnull=False)
    return [
        case
        for case in closed.select_related("organisation").order_by("closed_at")
        if (until := _keep_until(case)) and until <= now
    ]


def _keep_until(case: Case) -> datetime.datetime | None:
    """When ``case`` may be deleted, by its organisation's retention periods."""
    org = case.organisation
    return keep_until(
        case.category,
        case.closed_at,
        years=org.case_retention_years,
        conduct_years=org.conduct_case_retention_years,
    )


def purge_expired_cases(
    *, now: datetime.datetime | None = None, apply: bool = False
) -> list[str]:
    """References of closed cases past their retention period; deleted if ``apply``."""
    cases = expired_cases(now or timezone.now())
    if apply:
        for case in cases:
            delete_case(actor=None, case=case, reason="Retention period ended")
    return [case.reference for case in cases]


def can_read(actor: User, case: Case) -> bool:
    return can_view(actor, case)
