"""The JSON API at /api/v1/: one NinjaAPI, one router per app.

Authenticate with an organisation API key (``Authorization: Bearer sc_…``) or
a logged-in session. A key acts as the user who made it, with that user's role;
keys expire. A session whose role needs two-factor sign-in is refused until
the code has been given.
Errors are ``{"error": "..."}`` with a real HTTP status; a 422 adds
``"details": {"field": ["what is wrong", ...]}`` (see docs/api-errors.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats, timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from safecontact.accounts.services import ApiKeyExpired
from safecontact.accounts.services import PermissionDenied as RolePermissionDenied
from safecontact.lib.access import TWO_FACTOR_MESSAGE, half_signed_in
from safecontact.lib.apikeys import key_user
from safecontact.lib.errors import too_big_message


def _key_user(request: HttpRequest, raw_key: str) -> Any:
    try:
        return key_user(request, raw_key)
    except ApiKeyExpired as exc:
        day = formats.date_format(timezone.localtime(exc.expired_at), "j F Y")
        raise HttpError(
            401,
            f"This API key expired on {day}. Make a new one on the API keys page.",
        ) from None


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _key_user(request, token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _key_user(request, key) if key else None


class VerifiedSession(SessionAuth):
    """The signed-in session, once its two-factor step is done (where needed)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and half_signed_in(user):
            raise HttpError(403, TWO_FACTOR_MESSAGE)
        return user


api = NinjaAPI(
    title="SafeContact API",
    version="1.0.0",
    description="The organisation's register, contact gateway and concerns, as JSON.",
    auth=[BearerKey(), HeaderKey(), VerifiedSession()],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, message: str, status: int, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


# Where ninja says a value came from; the parameter's own name follows it.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field(loc: Sequence[Any]) -> str:
    """``("body", "payload", "hours", 0, "start")`` -> ``"hours.0.start"``."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        # A schema parameter ("payload", "filters") names no field itself.
        if len(parts) > 1 or (source == "body" and parts):
            parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "Not valid."))
        details.setdefault(_field(error.get("loc", ())), []).append(
            message.removeprefix("Value error, ")
        )
    return _error(request, "The request is not valid.", 422, details=details)


@api.exception_handler(DjangoValidationError)
def _model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    details = (
        exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    )
    return _error(request, "The request is not valid.", 422, details=details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, "Authentication required: send a valid API key.", 401)


@api.exception_handler(PermissionDenied)
@api.exception_handler(RolePermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, str(exc) or "Your role does not allow this.", 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "Not found.", 404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, too_big_message(), 413)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


def _add_routers() -> None:
    from safecontact.concerns.api import router as concerns_router
    from safecontact.contact.api import router as contact_router
    from safecontact.groups.api import router as groups_router
    from safecontact.ledger.api import router as ledger_router
    from safecontact.people.api import router as people_router

    api.add_router("/people", people_router)
    api.add_router("/groups", groups_router)
    api.add_router("/contact", contact_router)
    api.add_router("/ledger", ledger_router)
    api.add_router("/concerns", concerns_router)


_add_routers()
