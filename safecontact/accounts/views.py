from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecontact.accounts import services
from safecontact.accounts.forms import ApiKeyForm, TokenForm
from safecontact.lib.access import half_signed_in, member_required, request_user


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
    """Set up (first time) or check a TOTP code; required for Leads and administrators."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Authenticator app"}
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            # A new session id for the new privilege, so an id seen before the
            # code was given (fixation, a shared computer) is worth nothing.
            request.session.cycle_key()
            return redirect(_safe_next(request))
        form.add_error("token", _WRONG_CODE if allowed else _TOO_MANY_CODES)
    context = {"form": form, "setting_up": setting_up, "next": _safe_next(request)}
    if setting_up:
        context["qr_svg"] = _qr_svg(device.config_url)
        context["secret"] = device.bin_key.hex()
    return render(request, "accounts/two_factor.html", context)


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
