"""The checkpoint key is required in production, like the other secrets."""

from __future__ import annotations

from safecontact.lib.tests.test_settings import PRODUCTION, manage


def test_production_refuses_to_start_without_a_checkpoint_key():
    env = {**PRODUCTION}
    del env["LEDGER_CHECKPOINT_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set LEDGER_CHECKPOINT_KEY" in result.stderr


def test_the_key_can_come_from_a_file(tmp_path):
    key = tmp_path / "key"
    key.write_text("a" * 64)
    env = {**PRODUCTION}
    del env["LEDGER_CHECKPOINT_KEY"]
    result = manage("check", LEDGER_CHECKPOINT_KEY_FILE=str(key), **env)
    assert result.returncode == 0, result.stderr
