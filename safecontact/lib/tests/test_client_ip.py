"""One way to read the client's address, used by sign-in lockout and the public form.

X-Forwarded-For is believed only as far as TRUSTED_PROXY_COUNT proxies wrote it
(issue 14: behind a proxy every visitor shared the proxy's address).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from safecontact.concerns.models import Case
from safecontact.concerns.services import REPORTS_PER_HOUR
from safecontact.lib.client_ip import client_ip

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.7", PROXY),  # no trusted proxy: the header is ignored
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # client wrote the first
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.4", "203.0.113.7"),
        (2, "10.0.0.4", PROXY),  # fewer hops than proxies: not through them all
        (1, "not-an-address", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_it_believes_only_the_trusted_proxies(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta: dict[str, Any] = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_a_long_forged_header_costs_one_split_of_its_tail(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = "1.1.1.1," * 500_000 + "203.0.113.7"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)
    assert client_ip(request) == "203.0.113.7"


ANSWERS = {
    "narrative": "Someone in the gaming group keeps asking me where I live.",
    "about": "outside",
    "about_description": "user xx_wolf",
    "anonymous": "anonymous",
}


def _report(org, forwarded_for: str) -> int:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    url = reverse("report:standard", args=[org.report_token])
    return client.post(url, ANSWERS).status_code


@pytest.mark.django_db
def test_behind_a_proxy_one_reporter_does_not_pause_everyone(org, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(REPORTS_PER_HOUR):
        assert _report(org, "203.0.113.7") == HTTPStatus.FOUND
    assert _report(org, "203.0.113.7") == HTTPStatus.TOO_MANY_REQUESTS
    assert _report(org, "198.51.100.9") == HTTPStatus.FOUND
    assert Case.objects.count() == REPORTS_PER_HOUR + 1


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_does_not_evade_the_limit(
    org, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(REPORTS_PER_HOUR):
        assert _report(org, f"203.0.113.{number}") == HTTPStatus.FOUND
    assert _report(org, "198.51.100.9") == HTTPStatus.TOO_MANY_REQUESTS
