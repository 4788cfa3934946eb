from __future__ import annotations

import pathlib

import pytest

import safeguarding
from safeguarding.policy import RULES

DOC = pathlib.Path(safeguarding.__file__).parent.parent / "docs" / "policy.md"


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
