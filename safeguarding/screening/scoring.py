"""Both models' sums for a batch, read a word at a time from a memo.

``model.hashed`` is the feature function: every word, word pair and letter
run of a message, each hashed into a bucket. Scoring a batch that way
gathers seven weights (the risk model's and six line-model labels') for
every feature, about ninety per chat message. But chat repeats its words:
the features of a space-separated *piece* of text are its words, the pairs
inside it and its letter runs, and they depend on the piece alone. So
``PieceScorer`` keeps, for each piece it has seen, the seven sums of its
features' weights, how many features it has and the keys of its first and
last words; a message's sums are its pieces' rows added up, plus the pairs
that join one piece's last word to the next piece's first. The memo is
built from the hashing as messages arrive (no vocabulary ships); it holds
words of recent messages in this process's memory only, and is emptied
before a batch would take it past ``MEMO_LIMIT`` pieces (a batch with more
new pieces than that is still learned whole).

The sums are the reference's to the last bit: every weight is an int8 step
times its label's float32 scale, so all of them are multiples of one
power of two, and a float64 sum of fewer than 2**22 of them is exact in any
order. Messages longer than ``LONG`` characters (which could hold more) take
the reference path, and ``test_screening_parity`` compares the two.
"""

from __future__ import annotations

import threading
from itertools import repeat

import numpy as np
import numpy.typing as npt

from safeguarding.screening.model import (
    _SEPARATOR,
    FeatureKeys,
    RiskModel,
    feature_keys,
    hashed,
    pair_keys,
    plain_batch,
    word_buckets,
)

MEMO_LIMIT = 300_000  # pieces remembered (about 200 bytes each) before starting again
# Characters of those pieces: a piece is kept whole as a key, and anyone can
# send mail of long words, so the memo is bounded by its characters too.
MEMO_CHARS = 20_000_000
LONG = 200_000  # characters: a longer message is scored the reference way
_EMPTY, _BREAK, _UNKNOWN = -1, -2, -3  # rows of "", a message break, a new piece
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class PieceScorer:
    """The risk model's and the line model's feature sums, per message.

    ``sums(texts)`` gives (sums, counts): ``sums[i, 0]`` is the risk model's
    sum of weights for text ``i``, ``sums[i, 1 + j]`` the line model's for
    label ``j``, ``counts[i]`` its number of features; all equal to summing
    over ``hashed(texts, risk.bits)``.
    """

    _rows: dict[str, int]  # piece -> its row, or _EMPTY / _BREAK
    _sums: FloatArray  # (rows, 7) sums of the piece's feature weights
    _counts: IntArray  # features in the piece
    _first: npt.NDArray[np.uint64]  # key of its first word
    _last: npt.NDArray[np.uint64]  # key of its last word
    _has_word: npt.NDArray[np.bool_]

    def __init__(
        self, risk: RiskModel, by_label: npt.NDArray[np.float32], line_bits: int
    ) -> None:
        self._bits = risk.bits
        self._risk = risk.weights
        self._by_label = by_label  # (labels, buckets), one row per label
        self._shift = risk.bits - line_bits
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self._rows = {"": _EMPTY, _SEPARATOR: _BREAK}
        self._chars = 0
        self._grow(1024)

    def _grow(self, size: int) -> None:
        """Room for ``size`` rows, keeping the rows already learned."""
        used = len(self._rows) - 2
        sums = np.zeros((size, 1 + len(self._by_label)), dtype=np.float64)
        counts = np.zeros(size, dtype=np.int64)
        first = np.zeros(size, dtype=np.uint64)
        last = np.zeros(size, dtype=np.uint64)
        has_word = np.zeros(size, dtype=bool)
        if used:
            sums[:used] = self._sums[:used]
            counts[:used] = self._counts[:used]
            first[:used], last[:used] = self._first[:used], self._last[:used]
            has_word[:used] = self._has_word[:used]
        self._sums, self._counts, self._has_word = sums, counts, has_word
        self._first, self._last = first, last

    def weights(self, buckets: IntArray) -> FloatArray:
        """(features, 7) weights of risk-model buckets, as float64."""
        out = np.empty((len(buckets), 1 + len(self._by_label)), dtype=np.float64)
        out[:, 0] = self._risk[buckets]
        fewer = buckets >> self._shift
        for j, column in enumerate(self._by_label):
            out[:, 1 + j] = column[fewer]
        return out

    def sums(self, texts: list[str]) -> tuple[FloatArray, IntArray]:
        with self._lock:
            return self._sums_locked(texts)

    def _sums_locked(self, texts: list[str]) -> tuple[FloatArray, IntArray]:
        count = len(texts)
        columns = 1 + len(self._by_label)
        if not count or max(map(len, texts)) > LONG:
            return self._reference(texts)
        joined = plain_batch(texts)
        for blank in "\t\n\r":  # str.replace is much faster than translate
            if blank in joined:
                joined = joined.replace(blank, " ")
        pieces = joined.replace(_SEPARATOR, f" {_SEPARATOR} ").split(" ")
        rows = self._lookup(pieces)
        message = np.cumsum(rows == _BREAK)
        real = rows >= 0
        rows, message = rows[real], message[real]
        out = np.zeros((count, columns), dtype=np.float64)
        counts = np.bincount(message, self._counts[rows], minlength=count)
        worded = self._has_word[rows]
        for c in range(columns):
            out[:, c] = np.bincount(message, self._sums[rows, c], minlength=count)
        # Pairs across pieces: one piece's last word and the next one's first.
        rows, message = rows[worded], message[worded]
        same = message[1:] == message[:-1]
        keys = pair_keys(self._last[rows[:-1][same]], self._first[rows[1:][same]])
        owner = message[1:][same]
        weights = self.weights(word_buckets(keys, self._bits).astype(np.int64))
        for c in range(columns):
            out[:, c] += np.bincount(owner, weights[:, c], minlength=count)
        counts += np.bincount(owner, minlength=count)
        return out, counts.astype(np.int64)

    def _lookup(self, pieces: list[str]) -> IntArray:
        get = self._rows.get
        rows = np.fromiter(map(get, pieces, repeat(_UNKNOWN)), np.int64, len(pieces))
        unknown = np.flatnonzero(rows == _UNKNOWN)
        if len(unknown):
            new = list(dict.fromkeys(pieces[i] for i in unknown))
            chars = sum(map(len, new))
            full = len(self._rows) + len(new) > MEMO_LIMIT
            full = full or self._chars + chars > MEMO_CHARS
            if full and len(self._rows) > 2:
                self._clear()  # then learn this batch's pieces, however many
                return self._lookup(pieces)
            self._chars += chars
            self._learn(new)
            rows[unknown] = [self._rows[pieces[i]] for i in unknown]
        return rows

    def _learn(self, new: list[str]) -> None:
        """Add a row for each new piece, from the feature function's keys."""
        keys = feature_keys(_SEPARATOR.join(new))
        index = keys.index()
        weights = self.weights(keys.buckets(self._bits))
        sums = np.stack(
            [
                np.bincount(index, weights[:, c], len(new))
                for c in range(len(weights[0]))
            ],
            axis=1,
        )
        first, last, has_word = _ends(keys, len(new))
        start = len(self._rows) - 2
        end = start + len(new)
        if end > len(self._counts):
            self._grow(max(end, 2 * len(self._counts)))
        self._sums[start:end] = sums
        self._counts[start:end] = np.bincount(index, minlength=len(new))
        self._first[start:end], self._last[start:end] = first, last
        self._has_word[start:end] = has_word
        self._rows.update(zip(new, range(start, end), strict=True))

    def _reference(self, texts: list[str]) -> tuple[FloatArray, IntArray]:
        """The sums straight from the feature function."""
        index, buckets = hashed(texts, self._bits)
        weights = self.weights(buckets)
        out = np.zeros((len(texts), weights.shape[1]), dtype=np.float64)
        for c in range(weights.shape[1]):
            out[:, c] = np.bincount(index, weights[:, c], minlength=len(texts))
        return out, np.bincount(index, minlength=len(texts)).astype(np.int64)


def _ends(
    keys: FeatureKeys, count: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """Each piece's first and last word keys, and whether it has a word."""
    first = np.zeros(count, dtype=np.uint64)
    last = np.zeros(count, dtype=np.uint64)
    has_word = np.zeros(count, dtype=bool)
    owner = keys.word_message
    if len(owner):
        # Words come in order of their piece: the first of each run and the last.
        begins = np.flatnonzero(np.diff(owner, prepend=-1))
        finishes = np.flatnonzero(np.diff(owner, append=count + 1))
        first[owner[begins]] = keys.words[begins]
        last[owner[finishes]] = keys.words[finishes]
        has_word[owner] = True
    return first, last, has_word
