"""Shared fixtures: organisations, users by role, logged-in clients, the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.tests.factories import (
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests need speed, not resistance to cracking.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db: None) -> Organisation:
    return OrganisationFactory.create()


@pytest.fixture
def other_org(db: None) -> Organisation:
    return OrganisationFactory.create(name="Another Charity")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        role: str = "worker", organisation: Organisation | None = None, **kw: Any
    ) -> User:
        if organisation is not None:
            kw["organisation"] = organisation
        return UserFactory.create(role=role, **kw)

    return make


@pytest.fixture
def lead(org: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("lead", org, first_name="Lena", last_name="Lead")


@pytest.fixture
def deputy(org: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("deputy", org, first_name="Dev", last_name="Deputy")


@pytest.fixture
def worker(org: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("worker", org, first_name="Wes", last_name="Worker")


@pytest.fixture
def trustee(org: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("trustee", org, first_name="Tara", last_name="Trustee")


def grant_all(trustee: User) -> User:
    """Let a trustee see the register, the contact log and the audit trail, as
    a Lead would on the "What trustees can see" page."""
    from safecontact.dashboard.models import TrusteeGrant

    for area in TrusteeGrant.Area.values:
        TrusteeGrant.objects.get_or_create(
            organisation=trustee.organisation, trustee=trustee, area=area
        )
    return trustee


@pytest.fixture
def granted_trustee(trustee: User) -> User:
    """A trustee the Lead has let see the register, contact log and audit trail."""
    return grant_all(trustee)


def login(client: Client, user: User) -> Client:
    """Log ``user`` in, past the two-factor step where their role needs it."""
    client.force_login(user)
    if user.needs_two_factor:
        device = confirmed_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return login(Client(), user)

    return make


# --- Browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; CI must have it (make test installs it)"
            )
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses
    # to run inside one unless told this test process is fine with it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def axe_check() -> Callable[[Any], None]:
    """Fail on any serious or critical axe-core violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, f"axe violations on {page.url}:\n" + "\n".join(bad)

    return check
