"""What a trustee may open beyond the figures: only what the Lead granted.

Trustees carry legal responsibility but do not need children's names to carry
it: they see the dashboard's compliance figures and the trustees' report. The
register, the contact log and the audit trail open to a trustee only while a
``TrusteeGrant`` for that area stands (granted and revoked by the Lead, each
recorded in the audit trail).

The check sits in one middleware so that every page and API operation of
those areas is covered, including ones added later to their URL namespaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from safecontact.accounts.services import ApiKeyExpired
from safecontact.lib.apikeys import key_user

REGISTER = "register"
CONTACT_LOG = "contact_log"
AUDIT_TRAIL = "audit_trail"

# URL namespace (or "namespace:name") -> the area it shows.
PAGE_AREAS = {
    "people:audit": AUDIT_TRAIL,
    "people": REGISTER,
    "groups": REGISTER,
    "ledger": CONTACT_LOG,
}
# API path prefix -> area.
API_AREAS = {
    "/api/v1/people": REGISTER,
    "/api/v1/groups": REGISTER,
    "/api/v1/ledger": CONTACT_LOG,
}


def has_grant(user: Any, area: str) -> bool:
    """Everyone but a trustee is governed by the usual role checks."""
    if getattr(user, "role", None) != "trustee":
        return True
    from safecontact.dashboard.models import TrusteeGrant

    return TrusteeGrant.objects.filter(
        trustee=user, area=area, revoked_at__isnull=True
    ).exists()


def granted_areas(user: Any) -> set[str]:
    """The areas this user may open (all of them unless a trustee)."""
    areas = {REGISTER, CONTACT_LOG, AUDIT_TRAIL}
    return {a for a in areas if has_grant(user, a)} if _is_trustee(user) else areas


def _is_trustee(user: Any) -> bool:
    return getattr(user, "role", None) == "trustee"


def area_for(request: HttpRequest) -> str | None:
    for prefix, area in API_AREAS.items():
        if request.path.startswith(prefix):
            return area
    match = request.resolver_match
    if match is None:
        return None
    if f"{match.namespace}:{match.url_name}" in PAGE_AREAS:
        return PAGE_AREAS[f"{match.namespace}:{match.url_name}"]
    return PAGE_AREAS.get(match.namespace)


def _api_user(request: HttpRequest) -> Any:
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    key = token or request.headers.get("X-API-Key", "")
    try:
        return key_user(request, key) if key else None
    except ApiKeyExpired:
        return None  # the API's own check answers with the reason


class TrusteeGrantMiddleware:
    """Refuse a trustee any page or API call of an area not granted to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        area = area_for(request)
        if area is None:
            return None
        is_api = request.path.startswith("/api/")
        user = _api_user(request) if is_api else request.user
        if not _is_trustee(user) or has_grant(user, area):
            return None
        if is_api:
            return JsonResponse(
                {
                    "error": "Trustees see this only when the Safeguarding Lead grants it."
                },
                status=403,
            )
        raise PermissionDenied
