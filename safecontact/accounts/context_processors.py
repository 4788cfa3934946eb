from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    org = (
        getattr(user, "organisation", None) if user and user.is_authenticated else None
    )
    return {"current_organisation": org}
