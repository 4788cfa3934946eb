"""The core stays pure: it imports without Django and never reads the clock."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import safeguarding

ROOT = pathlib.Path(safeguarding.__file__).parent

# Runs in a fresh interpreter: this test process has Django loaded already.
IMPORT_ALL = """
import importlib, pkgutil, sys
sys.modules["django"] = None  # any "import django..." now raises ImportError
import safeguarding

def fail(name):
    raise SystemExit(f"cannot import {name}")

for info in pkgutil.walk_packages(safeguarding.__path__, "safeguarding.", fail):
    if info.name == "safeguarding.tests" or info.name.startswith("safeguarding.tests."):
        continue
    importlib.import_module(info.name)
    print(info.name)
loaded = [m for m, mod in sys.modules.items() if m.startswith("django") and mod]
if loaded:
    raise SystemExit(f"django modules loaded: {loaded}")
"""


def test_every_core_module_imports_without_django():
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    imported = set(result.stdout.split())
    expected = {
        "safeguarding.ledger",
        "safeguarding.policy",
        "safeguarding.policy.engine",
        "safeguarding.screening.findings",
    }
    assert expected <= imported


CLOCK = re.compile(r"\b(?:now|today|utcnow|time|monotonic|perf_counter)\(\)")


def test_policy_and_ledger_never_read_the_clock():
    sources = [*sorted((ROOT / "policy").glob("*.py")), ROOT / "ledger.py"]
    readers = [p.name for p in sources if CLOCK.search(p.read_text())]
    assert readers == []
