"""Who may open which page: one place for the role checks used by every view.

Objects from another organisation are a 404, never a 403, so their existence
does not leak.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

if TYPE_CHECKING:
    from safecontact.accounts.models import Organisation, User

View = Callable[..., HttpResponse]

TWO_FACTOR_MESSAGE = (
    "Finish signing in first: enter the 6-digit code from your authenticator app "
    "on the two-step check page."
)


def half_signed_in(user: Any) -> bool:
    """Signed in with a password, but their role needs the code and it is not given."""
    return bool(
        user.is_authenticated
        and getattr(user, "needs_two_factor", False)
        and not getattr(user, "is_verified", lambda: False)()
    )


def role_required(*roles: str) -> Callable[[View], View]:
    """Logged in, in an organisation, and holding one of ``roles``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if half_signed_in(user):
                # The middleware stops this first; a second lock on the same door.
                return redirect_to_login(
                    request.get_full_path(), reverse("accounts:two_factor")
                )
            if getattr(user, "organisation_id", None) is None:
                raise PermissionDenied
            if roles and user.role not in roles:  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


LEADS = ("lead", "deputy")
OVERSIGHT = ("lead", "deputy", "trustee")
EVERYONE = ("lead", "deputy", "trustee", "worker")

lead_required = role_required(*LEADS)
oversight_required = role_required(*OVERSIGHT)
member_required = role_required(*EVERYONE)


def get_for_org[M: models.Model](
    queryset: models.QuerySet[M], organisation: Any, **lookup: Any
) -> M:
    """The object matching ``lookup`` in this organisation, or 404."""
    try:
        return queryset.get(organisation=organisation, **lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a page the access decorators have let through."""
    return cast("User", request.user)


def request_organisation(request: HttpRequest) -> Organisation:
    """That user's organisation (the decorators have checked there is one)."""
    return cast("Organisation", request_user(request).organisation)


def api_user(request: HttpRequest) -> User:
    """The user an API request acts as (a key's maker, or the session's user)."""
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "organisation_id", None) is None:
        raise PermissionDenied("Your account is not in an organisation.")
    return cast("User", user)


def require_lead(actor: User, organisation: Organisation | int) -> None:
    """Raise unless ``actor`` is this organisation's Lead or deputy."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if actor.organisation_id != org_id or not actor.is_lead:
        raise PermissionDenied(
            "Only the Safeguarding Lead or deputy can change the register."
        )
