"""Environment helpers: unset or blank means the default; bad values fail loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from safecontact.lib.env import envbool, envint, envlist, envsecret, envstr


@pytest.mark.parametrize("value", ["", "   ", "\t"])
def test_a_blank_value_means_the_default(monkeypatch, value):
    for name in ("FLAG", "NUMBER", "TEXT", "ITEMS", "SECRET"):
        monkeypatch.setenv(name, value)
    assert envbool("FLAG", "true") is True
    assert envint("NUMBER", "42") == 42
    assert envstr("TEXT", "default") == "default"
    assert envlist("ITEMS", "a,b") == ["a", "b"]
    assert envsecret("SECRET", "fallback") == "fallback"


def test_a_set_value_wins(monkeypatch):
    monkeypatch.setenv("FLAG", " Off ")
    monkeypatch.setenv("NUMBER", "7")
    monkeypatch.setenv("ITEMS", "x, ,y")
    assert envbool("FLAG", "true") is False
    assert envint("NUMBER", "42") == 7
    assert envlist("ITEMS", "a") == ["x", "y"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: envbool("FLAG", "maybe"), "FLAG must be true or false"),
        (lambda: envint("NUMBER", "ten"), "NUMBER must be a whole number"),
        (lambda: envint("NUMBER", "-1", minimum=0), "NUMBER must be 0 or more"),
    ],
)
def test_a_bad_value_fails_loudly(monkeypatch, call, message):
    monkeypatch.delenv("FLAG", raising=False)
    monkeypatch.delenv("NUMBER", raising=False)
    with pytest.raises(ImproperlyConfigured, match=message):
        call()


def test_a_secret_is_read_from_its_file(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("s3cret\n")
    monkeypatch.setenv("SECRET_FILE", str(path))
    assert envsecret("SECRET", "fallback") == "s3cret"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="empty file"):
        envsecret("SECRET", "fallback")
