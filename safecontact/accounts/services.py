"""Every write to organisations, users and API keys goes through here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safecontact.accounts.models import ApiKey, Organisation, User
from safecontact.audittrail.services import record_change, snapshot
from safecontact.groups.services import seed_purposes


class PermissionDenied(Exception):
    """The actor's role does not allow this."""


class ApiKeyExpired(Exception):
    """The key was real but its time is up; the caller should make a new one."""

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(f"API key expired at {expired_at.isoformat()}")
        self.expired_at = expired_at


def hash_api_key(raw_key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def create_organisation(
    *,
    name: str,
    timezone_name: str = "Europe/London",
    email_from: str = "",
    inbox_address: str = "",
) -> Organisation:
    org = Organisation(
        name=name,
        timezone=timezone_name,
        email_from=email_from,
        inbox_address=inbox_address,
    )
    org.full_clean()
    org.save()
    seed_purposes(organisation=org)
    return org


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
    user.save()
    record_change(
        actor=actor,
        organisation=organisation,
        obj=user,
        action="create",
        before=None,
        after=snapshot(user, exclude={"password"}),
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
    record_change(
        actor=actor,
        organisation=actor.organisation,
        obj=key,
        action="create",
        before=None,
        after=snapshot(key, exclude={"hashed_key"}),
    )
    return key, raw


@transaction.atomic
def revoke_api_key(*, actor: User, key: ApiKey) -> ApiKey:
    if key.user_id != actor.pk and not actor.is_lead:
        raise PermissionDenied("You can only revoke your own keys.")
    before = snapshot(key, exclude={"hashed_key"})
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record_change(
        actor=actor,
        organisation=key.organisation,
        obj=key,
        action="update",
        before=before,
        after=snapshot(key, exclude={"hashed_key"}),
    )
    return key


def user_for_api_key(raw_key: str) -> User | None:
    """The active user a valid, unrevoked key acts as, or None.

    Raises ``ApiKeyExpired`` for a real key past its expiry, so the caller can
    say so instead of a bare "not authenticated".
    """
    # hashed_key is unique, so no ORDER BY (which .first() would add).
    found = ApiKey.objects.select_related("user", "user__organisation").filter(
        hashed_key=hash_api_key(raw_key), revoked_at__isnull=True
    )[:1]
    key = next(iter(found), None)
    if key is None or not key.user.is_active:
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
