"""Read deploy settings from the environment; bad values fail loudly.

A variable that is unset or blank (``SECURE_COOKIES=`` as in .env.example)
means "use the default": an empty line must never switch a protection off.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value if value else default


def envbool(name: str, default: str) -> bool:
    value = _raw(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {number}")
    return number


def envstr(name: str, default: str) -> str:
    return _raw(name, default)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (for Docker/K8s secrets)."""
    path = _raw(f"{name}_FILE", "")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {path}: {exc}") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE points to an empty file: {path}")
        return value
    return _raw(name, default)
