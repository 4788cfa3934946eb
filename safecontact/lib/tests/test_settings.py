"""Production settings: secure by default, and loud when a secret is missing."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Yq-s0me-L0ng-r4nd0m-v4lue-for-tests-0nly-9aZ8bX7cW6dV5eU4fT3gS2",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "LEDGER_CHECKPOINT_KEY": "0f" * 32,
    "ALLOWED_HOSTS": "safecontact.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


# Set by the browser tests in this process; a deployment never has it.
NOT_PASSED_ON = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_defaults():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    env = {**PRODUCTION}
    del env["FIELD_ENCRYPTION_KEYS"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set FIELD_ENCRYPTION_KEYS" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_an_invalid_encryption_key_refuses_to_start():
    good = PRODUCTION["FIELD_ENCRYPTION_KEYS"]
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": f"{good},not-a-fernet-key"}
    result = manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "key number 2 is not a Fernet key" in result.stderr
    assert "not-a-fernet-key" not in result.stderr


def test_blank_values_keep_https_hardening_on():
    # .env.example lists these blank: blank must mean "the default", not "off".
    blank = dict.fromkeys(
        ["SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SITE_URL"],
        "",
    )
    env = {**PRODUCTION, **blank}
    show = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SITE_URL)"
    )
    result = manage("shell", "--no-imports", "-c", show, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "http://127.0.0.1:8000",
    ]
    assert manage("check", "--deploy", "--fail-level", "WARNING", **env).returncode == 0
