"""Every write to organisations, users and API keys goes through here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecontact.accounts.models import (
    INVITATION_DAYS,
    ApiKey,
    Invitation,
    Organisation,
    User,
)
from safecontact.audits.models import GroupAudit
from safecontact.audittrail.services import record_change, save_and_record, snapshot
from safecontact.groups.services import seed_purposes
from safecontact.lib import rawsql
from safecontact.notifications import services as notifications
from safecontact.notifications.models import Notification
from safecontact.people.models import Person

BACKUP_CODE_COUNT = 10
# Fields of Organisation a Lead may change on the settings page.
SETTINGS_FIELDS = (
    "name",
    "email_from",
    "inbox_address",
    "timezone",
    "copy_policy",
    "outside_hours",
    "content_hold_threshold",
    "vetting_renewal_years",
    "training_renewal_years",
    "default_hours",
    "case_retention_years",
    "conduct_case_retention_years",
    "audit_retention_days",
    "notification_retention_days",
    "consent_renewal_months",
    "consent_notice_days",
)


class PermissionDenied(Exception):
    """The actor's role does not allow this."""


class AccountError(Exception):
    """A request about accounts that cannot be done as asked; the message says why."""


class InvitationInvalid(Exception):
    """The invitation link cannot be used; ``state`` says why."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class ApiKeyExpired(Exception):
    """The key was real but its time is up; the caller should make a new one."""

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(f"API key expired at {expired_at.isoformat()}")
        self.expired_at = expired_at


def hash_api_key(raw_key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def validate_timezone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(
            f"“{name}” is not a time zone we know. Use a name like Europe/London."
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{name}” is not a time zone we know.") from None


def _refuse_duplicate_email(email: str) -> None:
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(
            f"{email} already has a SafeContact login. Each person needs their "
            "own email address."
        )


@transaction.atomic
def create_organisation(
    *,
    name: str,
    timezone_name: str = "Europe/London",
    email_from: str = "",
    inbox_address: str = "",
    lead_email: str = "",
    actor: User | None = None,
) -> Organisation:
    """Make an organisation; with ``lead_email``, invite its first Lead.

    Refuses a name already in use (any case) and an email that already has a
    login, so running the set-up twice does nothing the second time.
    """
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise AccountError(f"An organisation called “{name}” already exists.")
    validate_timezone(timezone_name)
    if lead_email:
        _refuse_duplicate_email(lead_email)
    org = Organisation(
        name=name,
        timezone=timezone_name,
        email_from=email_from,
        inbox_address=inbox_address,
    )
    org.full_clean()
    save_and_record(actor=actor, organisation=org, obj=org, before=None)
    seed_purposes(organisation=org)
    if lead_email:
        user = _new_login(
            actor=actor, organisation=org, email=lead_email, role=User.Role.LEAD
        )
        _invite(actor=actor, user=user)
    return org


def _new_login(
    *,
    actor: User | None,
    organisation: Organisation,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """An inactive login with no usable password, waiting for its invitation."""
    user = User(
        organisation=organisation,
        username=email.lower(),
        email=email.lower(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_active=False,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=user,
        before=None,
        exclude={"password"},
    )
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _invite(*, actor: User | None, user: User) -> Invitation:
    now = timezone.now()
    user.invitations.filter(used_at__isnull=True, replaced_at__isnull=True).update(
        replaced_at=now
    )
    raw = secrets.token_urlsafe(32)
    org = user.organisation
    if org is None:
        raise AccountError("Invitations are for logins in an organisation.")
    invitation = Invitation.objects.create(
        organisation=org,
        user=user,
        hashed_token=hash_token(raw),
        invited_by=actor,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    save_and_record(
        actor=actor,
        organisation=org,
        obj=invitation,
        before=None,
        exclude={"hashed_token"},
    )
    # Through the notifications queue: a mail server that is down delays the
    # email (retried, and shown to the Lead if it never goes), loses nothing.
    notifications.queue_link(
        kind=Notification.Kind.INVITATION,
        user=user,
        event=str(invitation.code),
        path=reverse("accounts:accept_invitation", args=[raw]),
    )
    return invitation


def queue_password_reset(*, user: User, uidb64: str, token: str) -> bool:
    """Email ``user`` a password reset link through the notifications queue."""
    return notifications.queue_link(
        kind=Notification.Kind.PASSWORD_RESET,
        user=user,
        event=f"{user.pk}:{token}",
        path=reverse("accounts:password_reset_confirm", args=[uidb64, token]),
    )


def _require_lead(actor: User, organisation: Organisation | None) -> None:
    if not actor.is_lead or actor.organisation_id != getattr(organisation, "pk", None):
        raise PermissionDenied("Only the Safeguarding Lead or deputy can do this.")


@transaction.atomic
def invite_person(*, actor: User, person: Person, role: str) -> Invitation:
    """Invite someone on the register to log in with ``role``, by their email.

    Inviting again (a lost email) replaces the earlier link.
    """
    _require_lead(actor, person.organisation)
    if role not in User.Role.values:
        raise AccountError("Choose a role.")
    if role == User.Role.LEAD and actor.role != User.Role.LEAD:
        raise PermissionDenied("Only a Safeguarding Lead can invite another Lead.")
    if person.kind in (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK):
        raise AccountError(
            "Logins are for workers, volunteers, deputies and trustees, not for "
            "the children and adults at risk the organisation works with."
        )
    if not person.email:
        raise AccountError(
            f"{person} has no email address in the register. Add one first."
        )
    user = person.user
    if user is None:
        _refuse_duplicate_email(person.email)
        user = _new_login(
            actor=actor,
            organisation=person.organisation,
            email=person.email,
            role=role,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        person.user = user
        person.save(update_fields=["user"])
    elif user.has_usable_password():
        raise AccountError(f"{person} already has a login.")
    elif user.role != role:
        before = snapshot(user, exclude={"password"})
        user.role = role
        save_and_record(
            actor=actor,
            organisation=person.organisation,
            obj=user,
            before=before,
            exclude={"password"},
            update_fields=["role"],
        )
    return _invite(actor=actor, user=user)


def invitation_for_token(raw: str) -> Invitation:
    """The usable invitation for a link, or ``InvitationInvalid`` saying why not."""
    found = Invitation.objects.select_related("user", "organisation").filter(
        hashed_token=hash_token(raw)
    )[:1]
    invitation = next(iter(found), None)
    if invitation is None:
        raise InvitationInvalid("unknown")
    state = invitation.state(timezone.now())
    if state != Invitation.State.VALID:
        raise InvitationInvalid(state)
    return invitation


@transaction.atomic
def accept_invitation(*, raw_token: str, password: str) -> User:
    """Set the invitee's password and activate the login; the link then stops working.

    Raises Django's ``ValidationError`` for a weak password (nothing is saved).
    """
    invitation = invitation_for_token(raw_token)
    # Claim the row: two tabs posting at once cannot both use one link.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, replaced_at__isnull=True
    ).update(used_at=timezone.now())
    if claimed != 1:
        raise InvitationInvalid(Invitation.State.USED)
    user = invitation.user
    validate_password(password, user)
    before = snapshot(user, exclude={"password"})
    user.set_password(password)
    user.is_active = True
    save_and_record(
        actor=user,
        organisation=invitation.organisation,
        obj=user,
        before=before,
        exclude={"password"},
    )
    return user


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    organisation: Organisation,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    if actor is not None and not actor.is_lead and not actor.is_superuser:
        raise PermissionDenied("Only the Safeguarding Lead or deputy can add accounts.")
    user = User(
        organisation=organisation,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=user,
        before=None,
        exclude={"password"},
    )
    return user


@transaction.atomic
def create_api_key(*, actor: User, name: str) -> tuple[ApiKey, str]:
    """Make a key acting as ``actor``; returns the key and the raw secret (shown once).

    The key stops working ``settings.API_KEY_DAYS`` days from now. Views must
    only call this for a session that has passed the two-factor step.
    """
    if actor.organisation is None:
        raise PermissionDenied("API keys belong to an organisation.")
    raw = "sc_" + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organisation=actor.organisation,
        user=actor,
        name=name,
        prefix=raw[:10],
        hashed_key=hash_api_key(raw),
        expires_at=timezone.now() + timedelta(days=settings.API_KEY_DAYS),
    )
    save_and_record(
        actor=actor,
        organisation=actor.organisation,
        obj=key,
        before=None,
        exclude={"hashed_key"},
    )
    return key, raw


@transaction.atomic
def revoke_api_key(*, actor: User, key: ApiKey) -> ApiKey:
    if key.user_id != actor.pk and not actor.is_lead:
        raise PermissionDenied("You can only revoke your own keys.")
    before = snapshot(key, exclude={"hashed_key"})
    key.revoked_at = timezone.now()
    save_and_record(
        actor=actor,
        organisation=key.organisation,
        obj=key,
        before=before,
        exclude={"hashed_key"},
        update_fields=["revoked_at"],
    )
    return key


def _unrevoked_key(hashed: str) -> ApiKey | None:
    """``ApiKey.objects.select_related("user", "user__organisation")
    .filter(hashed_key=hashed, revoked_at__isnull=True).first()`` in
    hand-written SQL: every API request asks it (docs/performance.md)."""
    key_t, user_t, org_t = (m._meta.db_table for m in (ApiKey, User, Organisation))
    rows = rawsql.fetch(
        f"SELECT {rawsql.columns(ApiKey, 'k')}, {rawsql.columns(User, 'u')},"  # noqa: S608
        f' {rawsql.columns(Organisation, "o")} FROM "{key_t}" k'
        f' INNER JOIN "{user_t}" u ON u."id" = k."user_id"'
        f' LEFT JOIN "{org_t}" o ON o."id" = u."organisation_id"'
        ' WHERE k."hashed_key" = %s AND k."revoked_at" IS NULL',
        [hashed],
    )
    if not rows:
        return None
    key = rawsql.instance(ApiKey, rows[0])
    user = rawsql.instance(User, rows[0], rawsql.width(ApiKey))
    at = rawsql.width(ApiKey) + rawsql.width(User)
    org = (
        rawsql.instance(Organisation, rows[0], at) if rows[0][at] is not None else None
    )
    rawsql.cache_related(user, "organisation", org)
    rawsql.cache_related(key, "user", user)
    return key


def user_for_api_key(raw_key: str) -> User | None:
    """The active user a valid, unrevoked key acts as, or None.

    Raises ``ApiKeyExpired`` for a real key past its expiry, so the caller can
    say so instead of a bare "not authenticated".
    """
    key = _unrevoked_key(hash_api_key(raw_key))
    if key is None or not key.user.is_active:
        return None
    if key.user.organisation is not None and key.user.organisation.is_suspended:
        return None
    now = timezone.now()
    if key.is_expired(now):
        raise ApiKeyExpired(key.expires_at)
    # "Last used" is shown to the minute: writing it on every request would
    # add a write transaction to each API call. The filter makes concurrent
    # requests agree on a single writer.
    stale = now - timedelta(minutes=1)
    if key.last_used_at is None or key.last_used_at < stale:
        ApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=key.pk
        ).update(last_used_at=now)
    return key.user


# --- Two-factor -----------------------------------------------------------------


def new_backup_codes(*, user: User) -> list[str]:
    """Replace the user's backup codes with ten new ones; returns them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes]
    )
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> User:
    """A lost phone: remove the user's authenticator and backup codes (audited).

    Another Lead or deputy does it; at their next sign-in the user sets up the
    two-step check again. Their current sessions end.
    """
    _require_lead(actor, user.organisation)
    if actor.pk == user.pk:
        raise PermissionDenied(
            "Another Lead or deputy must reset your two-step check, not you."
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    end_sessions(user)
    record_change(
        actor=actor,
        organisation=user.organisation,
        obj=user,
        action="update",
        before={"two_step_check": "set up"},
        after={"two_step_check": "reset: set up again at next sign-in"},
    )
    return user


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere (database sessions)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


# --- Roles and logins -----------------------------------------------------------


def _other_active_leads(user: User) -> bool:
    return (
        User.objects.filter(
            organisation=user.organisation, role=User.Role.LEAD, is_active=True
        )
        .exclude(pk=user.pk)
        .exists()
    )


_LAST_LEAD = (
    "{user} is the only active Safeguarding Lead. Make someone else the Lead "
    "first, so the organisation is never left without one."
)


@transaction.atomic
def change_role(*, actor: User, user: User, role: str) -> User:
    _require_lead(actor, user.organisation)
    if role not in User.Role.values:
        raise AccountError("Choose a role.")
    lead_involved = User.Role.LEAD in (role, user.role)
    if lead_involved and actor.role != User.Role.LEAD:
        raise PermissionDenied("Only a Safeguarding Lead can change who is Lead.")
    demoting = user.role == User.Role.LEAD and role != User.Role.LEAD
    if demoting and not _other_active_leads(user):
        raise AccountError(_LAST_LEAD.format(user=user))
    before = snapshot(user, exclude={"password"})
    user.role = role
    save_and_record(
        actor=actor,
        organisation=user.organisation,
        obj=user,
        before=before,
        exclude={"password"},
        update_fields=["role"],
    )
    return user


@transaction.atomic
def set_login_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (a leaver) or reactivate a login; deactivation works at once.

    Sessions end and API keys stop answering (both check ``is_active``).
    """
    _require_lead(actor, user.organisation)
    if not active and user.role == User.Role.LEAD and not _other_active_leads(user):
        raise AccountError(_LAST_LEAD.format(user=user))
    before = snapshot(user, exclude={"password"})
    user.is_active = active
    save_and_record(
        actor=actor,
        organisation=user.organisation,
        obj=user,
        before=before,
        exclude={"password"},
        update_fields=["is_active"],
    )
    if not active:
        end_sessions(user)
    return user


# --- Organisation settings and operators ----------------------------------------


@transaction.atomic
def update_settings(
    *, actor: User, organisation: Organisation, changes: dict[str, object]
) -> Organisation:
    """Change the organisation's settings (Lead only); one audit entry."""
    if actor.role != User.Role.LEAD or actor.organisation_id != organisation.pk:
        raise PermissionDenied("Only the Safeguarding Lead can change settings.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise AccountError(f"Not a setting: {', '.join(sorted(unknown))}")
    if "timezone" in changes:
        validate_timezone(str(changes["timezone"]))
    name = str(changes.get("name", organisation.name)).strip()
    if (
        Organisation.objects.filter(name__iexact=name)
        .exclude(pk=organisation.pk)
        .exists()
    ):
        raise ValidationError({"name": "Another organisation already has that name."})
    before = snapshot(organisation)
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    save_and_record(
        actor=actor, organisation=organisation, obj=organisation, before=before
    )
    if organisation.audit_retention_days != before.get("audit_retention_days"):
        _reschedule_audit_deletion(organisation)
    return organisation


def _reschedule_audit_deletion(organisation: Organisation) -> None:
    """Each group audit is deleted the organisation's period after upload,
    so a changed period moves every audit's date (shown on its page)."""
    period = timedelta(days=organisation.audit_retention_days)
    GroupAudit.objects.filter(organisation=organisation).update(
        keep_until=F("created_at") + period
    )


@transaction.atomic
def mark_report_link_shared(*, actor: User, organisation: Organisation) -> Organisation:
    """The Lead or deputy says the public reporting link has been shared
    (a step of getting started). Marking it again keeps the first date."""
    _require_lead(actor, organisation)
    if organisation.report_link_shared_at is not None:
        return organisation
    organisation.report_link_shared_at = timezone.now()
    # Only this field in the entry: a whole snapshot would read as a change
    # of settings (another step of getting started).
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=organisation,
        before={"report_link_shared_at": None},
        after={"report_link_shared_at": organisation.report_link_shared_at.isoformat()},
        update_fields=["report_link_shared_at"],
    )
    return organisation


@transaction.atomic
def set_organisation_suspended(
    *, actor: User, organisation: Organisation, suspended: bool
) -> Organisation:
    """An operator stops (or restarts) an organisation's use of SafeContact."""
    if not actor.is_superuser:
        raise PermissionDenied("Only the people running SafeContact can do this.")
    before = snapshot(organisation)
    organisation.suspended_at = timezone.now() if suspended else None
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=organisation,
        before=before,
        update_fields=["suspended_at"],
    )
    return organisation
