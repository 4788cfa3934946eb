"""Both models' sums for a batch, in one compiled pass over its bytes.

``model.hashed`` is the feature function: every word, word pair and letter
run of a message, each hashed into a bucket, built from a dozen numpy passes
over the batch. Scoring that way gathers seven weights (the risk model's and
six line-model labels') for every feature, about ninety per chat message,
from arrays of a few million entries. ``Scorer`` does the same work in one
pass per message, compiled by numba: it hashes each word, word pair and
letter run as it reaches it, exactly as ``model.feature_keys`` does, and adds
its weights to the message's seven sums.

The sums are the feature function's to the last bit: features are added to
each message's sums in the order ``hashed`` gives them (words, pairs, then
letter runs of three and of four bytes), from float64 copies of the same
float32 weights, which is what ``np.bincount`` does. The weights are read
through a small table: every weight is an int8 step times its label's
scale, so each label has at most 256 values, and each bucket keeps one byte
per label in a 64-bit word (4 MB for both models, against 8 MB of float32
weights, and one memory read per feature instead of seven). ``test_screening_parity`` compares this
with the feature function on our own corpus and on random text.

The compiled function is cached on disk beside this file (numba's
``cache=True``; a read-only install caches under the user's cache folder),
and is compiled or loaded when this module is imported, so under
``gunicorn --preload`` it is ready before the workers fork. It releases the
GIL while it runs: threads score batches side by side. Without numba (a
platform without its wheels) the sums come from the feature function with
numpy, the same numbers, several times slower.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from safeguarding.screening.model import (
    _GRAM_SALT,
    _GRAM_VALUE,
    _MIX,
    _MULT,
    _PAIR,
    _POW,
    _TOKEN_BYTE,
    _UNPAIRED,
    RiskModel,
    hashed,
    plain_batch,
)

try:
    import numba
except ImportError:  # pragma: no cover - numba ships wheels for our platforms
    numba = None  # type: ignore[assignment]
COMPILED = numba is not None  # whether ``Scorer`` runs the compiled pass

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LABELS = 6  # the line model's labels (``indicator_model.LABELS``)


def _njit(signature: Any = None) -> Callable[[Any], Any]:
    """numba's ``njit`` without the GIL, cached on disk where it can be.

    numba's cache sits beside this file, or in the user's cache folder when
    that is read-only; with neither writable (a read-only install run by a
    user with no home) it refuses to cache, and the functions are compiled
    in memory instead (a few CPU seconds at import) rather than failing."""

    def compile_(function: Any) -> Any:
        try:
            return numba.njit(signature, cache=True, nogil=True)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(signature, nogil=True)(function)

    return compile_


def _jit[F: Callable[..., Any]](function: F) -> F:
    """Compiled by numba (cached on disk, without the GIL), or left as is."""
    if numba is None:  # pragma: no cover
        return function
    return cast(F, _njit()(function))


def features_digest() -> str:
    """A digest of the feature constants the compiled pass reads from
    ``model.py``. numba compiles them into the cached code, and judges the
    cache fresh from this file alone, so a change to them must change this
    file too: ``FEATURES_DIGEST`` below, which a test compares with this."""
    digest = hashlib.sha256()
    for table in (_TOKEN_BYTE, _GRAM_VALUE, _POW):
        digest.update(np.ascontiguousarray(table).tobytes())
    for number in (_MULT, _PAIR, _MIX, *(_GRAM_SALT[n] for n in sorted(_GRAM_SALT))):
        digest.update(int(number).to_bytes(8, "little"))
    return digest.hexdigest()[:16]


# Change with any feature constant of ``model.py`` (see ``features_digest``).
FEATURES_DIGEST = "87aa83168e712ecd"


class Scorer:
    """The risk model's and the line model's feature sums, per message.

    ``sums(texts)`` gives (sums, counts): ``sums[i, 0]`` is the risk model's
    sum of weights for text ``i``, ``sums[i, 1 + j]`` the line model's for
    label ``j``, ``counts[i]`` its number of features; all equal to summing
    over ``hashed(texts, risk.bits)``.
    """

    def __init__(
        self, risk: RiskModel, by_label: npt.NDArray[np.float32], line_bits: int
    ) -> None:
        self._bits = risk.bits
        self._risk = risk.weights
        self._by_label = by_label  # (labels, buckets), one row per label
        self._shift = risk.bits - line_bits
        compiled = numba is not None and len(by_label) == LABELS
        self._tables = (
            _tables(risk.weights, by_label, self._shift) if compiled else None
        )

    def sums(self, texts: list[str]) -> tuple[FloatArray, IntArray]:
        count = len(texts)
        if self._tables is None or not count:
            return self._reference(texts)
        data = np.frombuffer(plain_batch(texts).encode("utf-8", _UNPAIRED), np.uint8)
        sums = np.zeros((count, 1 + LABELS), dtype=np.float64)
        counts = np.zeros(count, dtype=np.int64)
        _kernel(data, sums, counts, self._bits, *self._tables)
        return sums, counts

    def weights(self, buckets: IntArray) -> FloatArray:
        """(features, 7) weights of risk-model buckets, as float64."""
        out = np.empty((len(buckets), 1 + len(self._by_label)), dtype=np.float64)
        out[:, 0] = self._risk[buckets]
        fewer = buckets >> self._shift
        for j, column in enumerate(self._by_label):
            out[:, 1 + j] = column[fewer]
        return out

    def _reference(self, texts: list[str]) -> tuple[FloatArray, IntArray]:
        """The sums straight from the feature function."""
        index, buckets = hashed(texts, self._bits)
        weights = self.weights(buckets)
        out = np.zeros((len(texts), weights.shape[1]), dtype=np.float64)
        for c in range(weights.shape[1]):
            out[:, c] = np.bincount(index, weights[:, c], minlength=len(texts))
        return out, np.bincount(index, minlength=len(texts)).astype(np.int64)


def _tables(
    risk: npt.NDArray[np.float32], by_label: npt.NDArray[np.float32], shift: int
) -> tuple[npt.NDArray[np.uint64], FloatArray] | None:
    """(For each risk-model bucket, its seven weights as one byte each in a
    64-bit word, the risk model's lowest; what each byte is worth per label),
    or None when a label has more than 256 distinct weights."""
    columns = [_codes(risk), *(_codes(column) for column in by_label)]
    table = np.zeros(len(risk), dtype=np.uint64)
    values = np.zeros((len(columns), 256), dtype=np.float64)
    bucket = np.arange(len(risk))
    for j, column in enumerate(columns):
        if column is None:
            return None
        codes, values[j] = column
        own = codes if j == 0 else codes[bucket >> shift]
        table |= own.astype(np.uint64) << np.uint64(8 * j)
    return table, values


def _codes(
    weights: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.uint8], FloatArray] | None:
    values, codes = np.unique(weights, return_inverse=True)
    if len(values) > 256:
        return None
    table = np.zeros(256, dtype=np.float64)
    table[: len(values)] = values.astype(np.float64)
    return codes.astype(np.uint8), table


# --- the compiled pass --------------------------------------------------

# Written with uint64 constants throughout: numba, like numpy, turns a
# uint64 mixed with a signed integer into a float.
_SPACE = np.uint64(32)
_S31, _S29 = np.uint64(31), np.uint64(29)
_SALT3, _SALT4 = _GRAM_SALT[3], _GRAM_SALT[4]
_BYTE = np.uint64(0xFF)
_B1, _B2, _B3, _B4, _B5, _B6 = (np.uint64(8 * k) for k in range(1, 7))


@_jit
def _mix(key: Any) -> Any:
    key = key ^ (key >> _S31)
    key = key * _MIX
    return key ^ (key >> _S29)


@_jit
def _gather(buckets: Any, size: Any, sums: Any, table: Any, values: Any) -> None:
    """Add the weights of ``buckets[:size]``, in order, to one message's sums.

    Kept in local variables while adding: a message's row of ``sums`` would
    otherwise be read and written back for every feature."""
    s0, s1, s2, s3 = sums[0], sums[1], sums[2], sums[3]
    s4, s5, s6 = sums[4], sums[5], sums[6]
    for k in range(size):
        codes = table[buckets[k]]  # one byte per label, the risk model's first
        s0 += values[0, codes & _BYTE]
        s1 += values[1, (codes >> _B1) & _BYTE]
        s2 += values[2, (codes >> _B2) & _BYTE]
        s3 += values[3, (codes >> _B3) & _BYTE]
        s4 += values[4, (codes >> _B4) & _BYTE]
        s5 += values[5, (codes >> _B5) & _BYTE]
        s6 += values[6, (codes >> _B6) & _BYTE]
    sums[0], sums[1], sums[2], sums[3] = s0, s1, s2, s3
    sums[4], sums[5], sums[6] = s4, s5, s6


@_jit
def _value(data: Any, at: Any, end: Any) -> Any:
    """A byte's value in a letter run: a space past the message's end."""
    return _GRAM_VALUE[data[at]] if at < end else _SPACE


_CHUNK = 4096  # buckets gathered at a time


@_jit
def _message(
    data: Any, start: Any, end: Any, row: Any, words: Any, buckets: Any,
    bits: Any, table: Any, values: Any,
) -> Any:  # fmt: skip
    """One message's features, in ``hashed``'s order, added to ``row``;
    their number. Buckets are gathered a chunk at a time, in order."""
    down = np.uint64(64 - bits + 1)
    upper = np.uint64(1 << (bits - 1))
    found = size = total = 0
    at = start
    while at < end:  # words: runs of letters, digits and "?"
        if not _TOKEN_BYTE[data[at]]:
            at += 1
            continue
        stop = at
        while stop < end and _TOKEN_BYTE[data[stop]]:
            stop += 1
        key = np.uint64(0)
        for p in range(at, stop):
            key += np.uint64(data[p]) * _POW[min(stop - 1 - p, 63)]
        words[found] = key
        found += 1
        buckets[size] = _mix(key) >> down
        size += 1
        if size == _CHUNK:
            _gather(buckets, size, row, table, values)
            total, size = total + size, 0
        at = stop
    for k in range(found - 1):  # pairs of neighbouring words
        key = (words[k] * _PAIR) ^ (words[k + 1] + _PAIR)
        buckets[size] = _mix(key) >> down
        size += 1
        if size == _CHUNK:
            _gather(buckets, size, row, table, values)
            total, size = total + size, 0
    # Letter runs of three, then of four bytes, inside space-padded pieces:
    # a window whose inner bytes are not spaces; outside the message is space.
    for n in range(3, 5):
        salt = _SALT3 if n == 3 else _SALT4
        before, middle = _SPACE, _value(data, start, end)
        after = _value(data, start + 1, end)
        for at in range(start, end):
            last = _value(data, at + 2, end)
            if middle != _SPACE and (n == 3 or after != _SPACE):
                key = (before * _MULT + middle) * _MULT + after
                if n == 4:
                    key = key * _MULT + last
                buckets[size] = (_mix(key ^ salt) >> down) + upper
                size += 1
                if size == _CHUNK:
                    _gather(buckets, size, row, table, values)
                    total, size = total + size, 0
            before, middle, after = middle, after, last
    _gather(buckets, size, row, table, values)
    return total + size


def _batch(
    data: Any, sums: Any, counts: Any, bits: Any, table: Any, values: Any
) -> None:
    """Every message's sums and feature count; messages are parted by NUL."""
    # Runs of one letter or digit cut to two (``model._collapse_runs``).
    kept = np.empty(len(data), dtype=np.uint8)
    size = 0
    for i in range(len(data)):
        byte = data[i]
        if i >= 2 and byte == data[i - 1] == data[i - 2] and _TOKEN_BYTE[byte]:
            continue
        kept[size] = byte
        size += 1
    words = np.empty(size // 2 + 2, dtype=np.uint64)
    buckets = np.empty(_CHUNK, dtype=np.uint64)
    message, start = 0, 0
    for end in range(size + 1):
        if end == size or kept[end] == 0:
            counts[message] = _message(
                kept, start, end, sums[message], words, buckets, bits, table, values
            )
            message += 1
            start = end + 1


if numba is not None:
    _u8, _u64, _f8, _i8 = numba.uint8, numba.uint64, numba.float64, numba.int64
    _bytes = numba.types.Array(_u8, 1, "C", readonly=True)  # np.frombuffer's
    # Compiled (or read from the cache) now, not on the first message.
    _kernel = _njit(
        numba.void(_bytes, _f8[:, ::1], _i8[::1], _i8, _u64[::1], _f8[:, ::1])
    )(_batch)
else:  # pragma: no cover
    _kernel = _batch
