"""Leads, deputies, trustees and superusers pass a TOTP check before anything else.

This is an allow-list, not a list of exemptions: someone who has given only
their password (a "half-signed-in" session) reaches the few views named here
and nothing else. A page gets a redirect to the two-factor step; the API gets a
JSON refusal. New views are protected without anyone remembering to add them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from safecontact.accounts.forms import SUSPENDED_MESSAGE
from safecontact.lib.access import TWO_FACTOR_MESSAGE, half_signed_in

# Views by URL name (namespace:name) a half-signed-in user may open.
ALLOWED_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:signed_out",
        "accounts:two_factor",
        "accounts:accept_invitation",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "healthz",
    }
)
# Whole namespaces open to them: the public "report a concern" pages.
ALLOWED_NAMESPACES = frozenset({"report"})


def _static_prefix() -> str:
    return "/" + urlsplit(settings.STATIC_URL or "/static/").path.lstrip("/")


def _allowed(request: HttpRequest) -> bool:
    if request.path_info.startswith(_static_prefix()):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in ALLOWED_VIEWS or bool(
        ALLOWED_NAMESPACES.intersection(match.namespaces)
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        org = getattr(request.user, "organisation", None)
        if org is not None and org.is_suspended:
            # Suspended by an operator: signed out at once, pages and API alike.
            logout(request)
            if _is_api(request):
                return JsonResponse({"error": SUSPENDED_MESSAGE}, status=403)
            context = {"reason": SUSPENDED_MESSAGE}
            return render(request, "accounts/suspended.html", context, status=403)
        if half_signed_in(request.user) and not _allowed(request):
            if _is_api(request):
                return JsonResponse({"error": TWO_FACTOR_MESSAGE}, status=403)
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:two_factor')}?{query}")
        return self.get_response(request)
