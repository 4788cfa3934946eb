"""The whole pipeline reads any text in time linear in its length.

No clocks: each test counts the lines of our code the pipeline runs (through
``sys.monitoring``) on the worst shapes we know, at two sizes ten times
apart. A walk over the text grows ten times, a comparison of each finding
with every other a hundred times. Regular expressions run in compiled code
and are not counted here; ``benchmarks/bench_screening.py`` times them on
the same shapes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType

import pytest

import safeguarding
from safeguarding.screening import assess
from safeguarding.screening.risk import ConversationRisk
from safeguarding.tests.synthetic_corpus import messages, worst_shapes

SMALL = 3_000
# A long word of leetspeak is named by the line model only from about 9,000
# characters: below that the two sizes would not do the same work.
FLAGGED_FROM = {"leet_word": 10_000}
LIMIT = 13  # ten times the text may cost at most this many times the lines
_TOOL = 4  # a sys.monitoring tool id that coverage and profilers leave free


def lines_run(work: Callable[[], object]) -> int:
    """How many lines of our own code (``safeguarding``) ``work()`` runs.

    Other modules are left out: how much of ``re``'s compiler runs depends
    on what its cache holds from earlier tests, not on the text."""
    count = 0
    ours = str(Path(safeguarding.__file__).parent)
    monitoring = sys.monitoring

    def on_line(code: CodeType, _line: int) -> object:
        nonlocal count
        if not code.co_filename.startswith(ours):
            return monitoring.DISABLE
        count += 1
        return None

    monitoring.use_tool_id(_TOOL, "safecontact-linear-test")
    try:
        monitoring.register_callback(_TOOL, monitoring.events.LINE, on_line)
        monitoring.set_events(_TOOL, monitoring.events.LINE)
        work()
    finally:
        monitoring.set_events(_TOOL, 0)
        monitoring.register_callback(_TOOL, monitoring.events.LINE, None)
        monitoring.free_tool_id(_TOOL)
        monitoring.restart_events()
    return count


def _pipeline(text: str) -> Callable[[], object]:
    return lambda: list(assess([("sam", text)]))


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    # Compile the rules and load both models before anything is counted.
    _pipeline("hello")()
    for text in worst_shapes(50).values():
        _pipeline(text)()


@pytest.mark.parametrize("shape", sorted(worst_shapes(10)))
def test_one_message_of_any_shape_scans_in_linear_time(shape):
    size = FLAGGED_FROM.get(shape, SMALL)
    small = lines_run(_pipeline(worst_shapes(size)[shape]))
    large = lines_run(_pipeline(worst_shapes(size * 10)[shape]))
    assert large <= LIMIT * small, (shape, small, large)


def test_many_messages_scan_in_linear_time():
    # One sender, so the risk window (150 of a sender's messages) is full
    # early in both runs: a window still filling costs less per message.
    few = [("sam", text) for _, text in messages(500, seed=7)]
    many = [("sam", text) for _, text in messages(5_000, seed=7)]
    # Fill the caches (characters seen, patterns compiled) the way earlier
    # tests would, so both counts start from the same state.
    list(assess(many))
    small = lines_run(lambda: list(assess(few)))
    large = lines_run(lambda: list(assess(many)))
    assert large <= LIMIT * small, (small, large)


def test_a_sender_full_of_findings_costs_the_same_per_message():
    # Grooming evidence held in the window once made every message re-read
    # the whole window.
    heavy = [("sam", "don't tell your mum, send me a pic, r u home alone")] * 40
    quiet = [("sam", "see you at youth club")] * 400

    def feed(count: int) -> Callable[[], object]:
        def work() -> None:
            risk = ConversationRisk()
            for _ in assess(heavy + quiet * count, risk=risk, model=None):
                pass

        return work

    small = lines_run(feed(1))
    large = lines_run(feed(10))
    assert large <= LIMIT * small, (small, large)
