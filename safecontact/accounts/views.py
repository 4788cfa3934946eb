from __future__ import annotations

import uuid
from base64 import b32encode
from collections.abc import Callable
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecontact.accounts import selectors, services
from safecontact.accounts.forms import (
    ApiKeyForm,
    InviteForm,
    LoginForm,
    OrganisationForm,
    RoleForm,
    SettingsForm,
    SignInCodeForm,
    TokenForm,
)
from safecontact.accounts.models import Organisation, User
from safecontact.lib.access import (
    get_for_org,
    half_signed_in,
    lead_required,
    member_required,
    request_organisation,
    request_user,
)
from safecontact.people.models import Person


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where signing out lands: says so, and how to sign in again."""
    return render(request, "accounts/signed_out.html")


def _safe_next(request: HttpRequest) -> str:
    nxt = request.GET.get("next") or request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("home")


_WRONG_CODE = "That code is not right. Check the time on your phone and try again."
_TOO_MANY_CODES = (
    "Too many wrong codes. Wait a minute, then type the newest code from your app."
)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (first time) or check a code; required for Leads and administrators.

    Setting up shows a QR code and the key in Base32 (what authenticator apps
    accept), then ten backup codes. Signing in accepts the app's code or one
    backup code, which then stops working.
    """
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return _set_up_two_factor(request)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        allowed, _ = device.verify_is_allowed()
        # The app's codes have 6 digits, backup codes 8 letters and digits: a
        # backup code is never tried against the app (which would count a failure).
        if len(token) == 6 and token.isdigit():
            used = device if device.verify_token(token) else None
        else:
            used = _backup_code_used(user, token)
        if used is not None:
            _verified(request, used)
            return redirect(_safe_next(request))
        form.add_error("token", _WRONG_CODE if allowed else _TOO_MANY_CODES)
    context = {"form": form, "setting_up": False, "next": _safe_next(request)}
    return render(request, "accounts/two_factor.html", context)


def _backup_code_used(user: Any, token: str) -> StaticDevice | None:
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(token):
            return static
    return None


def _verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A new session id for the new privilege, so an id seen before the
    # code was given (fixation, a shared computer) is worth nothing.
    request.session.cycle_key()


def _set_up_two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _verified(request, device)
            codes = services.new_backup_codes(user=user)  # type: ignore[arg-type]
            context = {"codes": codes, "next": _safe_next(request), "new": True}
            return render(request, "accounts/backup_codes.html", context)
        form.add_error("token", _WRONG_CODE if allowed else _TOO_MANY_CODES)
    context = {
        "form": form,
        "setting_up": True,
        "next": _safe_next(request),
        "qr_svg": _qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/two_factor.html", context)


@member_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """How many backup codes are left; POST makes ten new ones (shown once)."""
    user = request_user(request)
    if request.method == "POST":
        codes = services.new_backup_codes(user=user)
        return render(request, "accounts/backup_codes.html", {"codes": codes})
    left = StaticToken.objects.filter(device__user=user).count()
    return render(request, "accounts/backup_codes.html", {"left": left})


@member_required
def api_keys(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if half_signed_in(user):
        # A key outlives the session: never hand one to a password-only sign-in.
        raise PermissionDenied
    form = ApiKeyForm(request.POST or None)
    raw_key = None
    if request.method == "POST" and form.is_valid():
        _, raw_key = services.create_api_key(actor=user, name=form.cleaned_data["name"])
        form = ApiKeyForm()
    context = {
        "form": form,
        "keys": user.api_keys.order_by("-created_at"),
        "raw_key": raw_key,
        "days": settings.API_KEY_DAYS,
        "now": timezone.now(),
    }
    return render(request, "accounts/api_keys.html", context)


@require_POST
@member_required
def revoke_api_key(request: HttpRequest, code: str) -> HttpResponse:
    from safecontact.accounts.models import ApiKey
    from safecontact.lib.access import get_for_org

    key = get_for_org(ApiKey.objects.all(), request.user.organisation, code=code)  # type: ignore[union-attr]
    try:
        services.revoke_api_key(actor=request.user, key=key)  # type: ignore[arg-type]
    except services.PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The key “{key.name}” no longer works.")
    return redirect("accounts:api_keys")


@member_required
def home(request: HttpRequest) -> HttpResponse:
    """Leads land on what needs attention; workers and trustees on their work."""
    from safecontact.guide.selectors import home_for

    if request.user.is_lead:  # type: ignore[union-attr]
        return redirect("people:attention")
    return render(request, "guide/home.html", home_for(request_user(request)))


# --- Invitations ----------------------------------------------------------------

_INVALID_INVITATION = {
    "unknown": "This link is not one we know. Check you copied all of it.",
    "expired": "This link has expired: links work for 7 days.",
    "used": "This link has already been used to set up a login.",
    "replaced": "A newer invitation was sent after this one, so this link no "
    "longer works. Use the link in the newest email.",
}


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee chooses a password; roles that need it then set up 2FA."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as exc:
        return _invitation_invalid(request, exc.state)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                raw_token=token, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationInvalid as exc:
            return _invitation_invalid(request, exc.state)
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user.needs_two_factor:
            return redirect("accounts:two_factor")
        return redirect("home")
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/accept_invitation.html", context)


def _invitation_invalid(request: HttpRequest, state: str) -> HttpResponse:
    context = {"reason": _INVALID_INVITATION[state]}
    return render(request, "accounts/invitation_invalid.html", context, status=410)


@lead_required
def invite(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Invite someone on the register to log in (from their register entry)."""
    user = request_user(request)
    person = get_for_org(Person.objects.all(), user.organisation, code=code)
    form = InviteForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_person(
                actor=user, person=person, role=form.cleaned_data["role"]
            )
        except (services.AccountError, services.PermissionDenied) as exc:
            error = str(exc)
        else:
            messages.success(request, f"We have emailed an invitation to {person}.")
            return redirect(person.get_absolute_url())
    context = {"form": form, "person": person, "error": error}
    return render(request, "accounts/invite.html", context)


# --- Logins: roles, leavers, lost devices ----------------------------------------


@require_safe
@lead_required
def logins(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    people = User.objects.filter(organisation=user.organisation).order_by(
        "-is_active", "last_name", "first_name", "username"
    )
    context = {"logins": people, "roles": User.Role.choices}
    return render(request, "accounts/logins.html", context)


def _login_for(request: HttpRequest, code: uuid.UUID) -> User:
    return get_for_org(
        User.objects.all(), request_user(request).organisation, code=code
    )


def _do(request: HttpRequest, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except (services.AccountError, services.PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("accounts:logins")


@require_POST
@lead_required
def change_role(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    target = _login_for(request, code)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("accounts:logins")
    role = form.cleaned_data["role"]
    return _do(
        request,
        lambda: services.change_role(
            actor=request_user(request), user=target, role=role
        ),
        f"{target}'s role is now {User.Role(role).label}.",
    )


@require_POST
@lead_required
def set_active(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    target = _login_for(request, code)
    active = request.POST.get("active") == "yes"
    done = (
        f"{target} can sign in again." if active else f"{target} can no longer sign in."
    )
    return _do(
        request,
        lambda: services.set_login_active(
            actor=request_user(request), user=target, active=active
        ),
        done,
    )


@require_POST
@lead_required
def reset_two_factor(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    target = _login_for(request, code)
    return _do(
        request,
        lambda: services.reset_two_factor(actor=request_user(request), user=target),
        f"{target} will set up the two-step check again when they next sign in.",
    )


# --- Settings and first run -----------------------------------------------------


@lead_required
def organisation_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    org = request_organisation(request)
    if user.role != User.Role.LEAD:
        raise PermissionDenied
    form = SettingsForm(
        request.POST or None, instance=Organisation.objects.get(pk=org.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                actor=user, organisation=org, changes=form.changes()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})


# Model fields the form shows as other fields (agreed hours as days and times).
_SHOWN_AS = {"default_hours": "default_days"}


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = _SHOWN_AS.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_safe
@lead_required
def first_run(request: HttpRequest) -> HttpResponse:
    """Getting started: each step is done when the records say so."""
    org = request_organisation(request)
    steps = selectors.first_run_steps(org)
    done = sum(1 for step in steps if step.done)
    context = {"steps": steps, "done": done, "total": len(steps)}
    return render(request, "accounts/first_run.html", context)


# --- Operators (the people running the server) -----------------------------------


def _superuser(request: HttpRequest) -> User:
    """The operators' area does not exist for anyone but a superuser."""
    user = request_user(request)
    if not user.is_superuser:
        raise Http404
    return user


@login_required
def operators(request: HttpRequest) -> HttpResponse:
    actor = _superuser(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.create_organisation(
                actor=actor,
                name=data["name"],
                timezone_name=data["timezone"],
                lead_email=data["lead_email"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{org} is set up; its Lead has been emailed.")
            return redirect("operators:list")
    context = {"form": form, "organisations": selectors.organisations_overview()}
    return render(request, "accounts/operators.html", context)


@require_POST
@login_required
def suspend(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    actor = _superuser(request)
    org = get_object_or_404(Organisation, code=code)
    suspended = request.POST.get("suspended") == "yes"
    services.set_organisation_suspended(
        actor=actor, organisation=org, suspended=suspended
    )
    state = "suspended" if suspended else "active again"
    messages.success(request, f"{org} is {state}.")
    return redirect("operators:list")
