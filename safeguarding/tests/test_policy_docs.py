"""The catalogue, the docs and the product's tests agree, rule by rule."""

from __future__ import annotations

import ast
import functools
import pathlib

import pytest

import safeguarding
from safeguarding.policy import RULES

ROOT = pathlib.Path(safeguarding.__file__).parent.parent
DOC = ROOT / "docs" / "policy.md"
PRODUCT = ROOT / "safecontact"


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_is_documented_as_it_is_coded(rule):
    text = DOC.read_text()
    assert f"### `{rule.id}` — {rule.title}" in text
    assert f"**Guidance point:** {rule.guidance}" in text
    assert f"**Fix:** {rule.fix}" in text


def test_the_docs_name_no_rule_the_engine_lacks():
    documented = {
        line.split("`")[1]
        for line in DOC.read_text().splitlines()
        if line.startswith("### `")
    }
    assert documented == set(RULES)


@functools.cache
def _named_by_product_tests() -> frozenset[str]:
    """Strings named inside test functions (with an assert) of the Django
    project's tests: services, API and pages, not the pure core's tables."""
    found: set[str] = set()
    for path in sorted(PRODUCT.glob("**/tests/test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith(
                "test_"
            ):
                continue
            inside = list(ast.walk(node))
            if not any(isinstance(n, ast.Assert) for n in inside):
                continue
            found.update(
                n.value
                for n in inside
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            )
    return frozenset(found)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_fires_in_a_product_test(rule_id):
    assert rule_id in _named_by_product_tests(), (
        f"No test under safecontact/**/tests/ names {rule_id!r} and asserts: "
        "add a service, API or page test in which it fires."
    )
