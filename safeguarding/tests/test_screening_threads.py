"""One scanner and one scorer shared by many threads: each scan gets its own
scratch space, and scoring shares read-only tables."""

from __future__ import annotations

import threading

import numpy as np

from safeguarding.screening.indicator_model import default_line_model, score_batch
from safeguarding.screening.model import default_model
from safeguarding.screening.scanner import default_scanner

THREADS = 8
ROUNDS = 200
# Our own synthetic messages: one that fires, one that does not.
RISKY = "don't tell your mum we talk, add me on snapchat"
PLAIN = "See you at youth club on Thursday at 7. Bring a coat."


def test_scanning_from_eight_threads_at_once_gives_the_same_findings() -> None:
    scanner = default_scanner()
    expected = (scanner.scan(RISKY), scanner.scan(PLAIN))
    assert expected[0] and not expected[1]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    wrong: list[int] = []

    def work(index: int) -> None:
        start.wait()
        try:
            for n in range(ROUNDS):
                got = (scanner.scan(RISKY), scanner.scan(PLAIN))
                if got != expected:
                    wrong.append(index * ROUNDS + n)
        except BaseException as error:  # reported below, after join
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert wrong == []


def test_scoring_from_eight_threads_at_once_gives_the_same_scores() -> None:
    # The compiled pass runs without the GIL and shares its tables: no lock.
    risk, lines = default_model(), default_line_model()
    texts = [RISKY, PLAIN, "s3nd m3 a p1c 😉", ""] * 50
    want_risk, want_lines = score_batch(texts, risk, lines)
    assert want_lines is not None
    start = threading.Barrier(THREADS)
    wrong: list[int] = []

    def work(index: int) -> None:
        start.wait()
        for n in range(ROUNDS // 4):
            got_risk, got_lines = score_batch(texts, risk, lines)
            same = got_lines is not None and np.array_equal(got_lines, want_lines)
            if got_risk != want_risk or not same:
                wrong.append(index * ROUNDS + n)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
