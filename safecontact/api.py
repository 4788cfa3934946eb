"""The JSON API at /api/v1/: one NinjaAPI, one router per app.

Authenticate with an organisation API key (``Authorization: Bearer sc_…``) or
a logged-in session. A key acts as the user who made it, with that user's role;
keys expire. A session whose role needs two-factor sign-in is refused until
the code has been given.
Errors are ``{"error": "..."}`` with a real HTTP status.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats, timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from safecontact.accounts.services import ApiKeyExpired, user_for_api_key
from safecontact.accounts.services import PermissionDenied as RolePermissionDenied
from safecontact.lib.access import TWO_FACTOR_MESSAGE, half_signed_in


def _key_user(raw_key: str) -> Any:
    try:
        return user_for_api_key(raw_key)
    except ApiKeyExpired as exc:
        day = formats.date_format(timezone.localtime(exc.expired_at), "j F Y")
        raise HttpError(
            401,
            f"This API key expired on {day}. Make a new one on the API keys page.",
        ) from None


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _key_user(token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _key_user(key) if key else None


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


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, "The request is not valid.", 422, details=exc.errors)


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
