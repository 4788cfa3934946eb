"""The user an API key acts as, looked up once per request.

The trustee-grant middleware needs the caller on guarded API paths before the
API's own authentication runs; both ask here, so the key is hashed and looked
up once.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from safecontact.accounts.services import ApiKeyExpired, user_for_api_key

_ATTR = "_safecontact_api_key"


def key_user(request: HttpRequest, raw_key: str) -> Any:
    """``user_for_api_key(raw_key)``, remembered on ``request``.

    Raises ``ApiKeyExpired`` (every time it is asked) for an expired key.
    """
    remembered = getattr(request, _ATTR, None)
    if remembered is not None and remembered[0] == raw_key:
        found = remembered[1]
    else:
        try:
            found = user_for_api_key(raw_key)
        except ApiKeyExpired as exc:
            found = exc
        setattr(request, _ATTR, (raw_key, found))
    if isinstance(found, ApiKeyExpired):
        raise found
    return found
