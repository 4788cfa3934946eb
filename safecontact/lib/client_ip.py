"""The client's IP address, the one way every part of SafeContact reads it.

``X-Forwarded-For`` is written by whoever sends the request, so it is read only
when ``settings.TRUSTED_PROXY_COUNT`` says how many proxies in front of us
append to it: with N proxies, the client is the Nth address from the right
(each proxy appends the address it received the request from; anything to the
left of that was sent by the client and may be invented). With the default 0
the header is ignored and the client is ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Far more than any real chain of proxies; stops a long header costing more
# than one split of its tail.
_MAX_PROXIES = 32


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as far as the trusted proxies say."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = min(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0)), _MAX_PROXIES)
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Only the last ``count`` entries were written by our proxies.
    hops = header.rsplit(",", count)
    if not header.strip() or len(hops) < count:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    return _valid(hops[-count]) or remote
