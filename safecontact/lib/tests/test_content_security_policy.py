"""A Content-Security-Policy on every response, and templates that obey it.

Issue 14: there was none. Django's own middleware sends it (settings.SECURE_CSP);
inline code would need the page's nonce, so the templates carry none.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policy(client, client_for, lead, org):
    responses = [
        client.get(reverse("accounts:login")),
        client.get(reverse("report:start", args=[org.report_token])),
        client.get("/no-such-page/"),
        client.get("/api/v1/people/"),
        client_for(lead).get(reverse("concerns:list")),
        client_for(lead).get("/api/v1/people/"),
    ]
    for response in responses:
        policy = _policy(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"].startswith("'self'")
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert responses[4].status_code == HTTPStatus.OK


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)"),
    re.compile(r"<style(?![^>]*\bnonce=)"),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_no_template_has_inline_code_the_policy_would_block():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for pattern in INLINE:
            found += [
                f"{path.relative_to(TEMPLATES)}: {m.group()}"
                for m in pattern.finditer(text)
            ]
    assert not found, "Inline code needs a nonce or a static file:\n" + "\n".join(found)
