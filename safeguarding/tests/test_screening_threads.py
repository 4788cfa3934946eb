"""One scanner shared by many threads: each scan gets its own scratch space."""

from __future__ import annotations

import threading

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
