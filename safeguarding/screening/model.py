"""A small learned model: logistic regression over hashed words, word pairs
and the letter runs inside words.

It sees what word lists miss (how an offender's messages read as a whole) and
stays explainable: each word of a message adds its weight, so the words that
raised a score can be shown. The shipped parameters file holds only one
quantised weight per hash bucket, never words: ``benchmarks/fit_screening_model.py``
fits it.

Letter runs of three and four bytes inside each space-padded word ("pic" in
"pics", "piccy" and "pic;)") let misspellings, chat-speak and new forms of a
word share weight with the forms the model has seen, and keep the marks
people type ("!!", ";)", emoji) as part of how a message reads.

Speed comes from hashing a whole batch at once with numpy: the batch is
joined into one buffer, normalised (lower case, apostrophes dropped, a letter or digit
repeated three or more times cut to two, so "soooo" reads as "soo"), cut into
runs of ASCII letters and digits, and each run is hashed with a polynomial
over its bytes (64-bit, wrapping). A word pair hashes its two word hashes;
letter runs are rolling polynomial hashes over the space-separated pieces.
Words and pairs take the lower half of the buckets and letter runs the upper
half. The weights are a dense array, so a message's score is one gather and
one sum per message. The hash is ours and fixed, so it is stable across
processes and machines.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from safeguarding.screening.errors import ScreeningError

FORMAT = "safecontact-hashed-logreg/3"
PARAMS = Path(__file__).with_name("model_params.npz")

_SEPARATOR = "\x00"
_MULT = np.uint64(0x100000001B3)  # FNV prime: spreads bytes over 64 bits
_PAIR = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_GRAM_SALT = {n: np.uint64(0xD6E8FEB86659FD93 * n % (1 << 64)) for n in range(8)}
_POW = np.cumprod(np.full(64, _MULT, dtype=np.uint64), dtype=np.uint64)
_TOKEN_BYTE = np.zeros(256, dtype=bool)
_TOKEN_BYTE[list(b"abcdefghijklmnopqrstuvwxyz0123456789?")] = True
_GRAM_VALUE = np.arange(256, dtype=np.uint64)  # byte value, 32 for any space
_GRAM_VALUE[list(b"\t\n\r\x00")] = 32
_GRAM_EDGE = np.array([32], dtype=np.uint64)
_TOKEN = re.compile(r"[a-z0-9?]+")
_SPACES = re.compile(rb"[ \t\n\r\x00]+")
_RUN = re.compile(r"([a-z0-9?])\1\1+")

# Text from JSON can hold half a UTF-16 pair ("\ud800"); it is encoded as
# its three bytes rather than stopping the scan.
_UNPAIRED = "surrogatepass"
GRAMS = (3, 4)  # lengths of the letter runs taken inside each word
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, runs of one letter or digit cut to two."""
    return _RUN.sub(r"\1\1", _plain(text))


def _plain(text: str) -> str:
    # A question mark is a word of its own: questions are how a conversation
    # is steered (age, parents, being alone), answers are how it is followed.
    lowered = text.lower().replace("'", "").replace("\u2019", "")
    return lowered.replace("?", " ? ")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def _labelled(text: str) -> list[tuple[str, str]]:
    """(feature, the word it belongs to) in the order ``hashed`` gives them:
    words, word pairs, then the letter runs of each length in ``GRAMS``.

    Letter runs are taken from the bytes of each space-separated piece of
    the normalised text (so "u.r", "xoxo!!" or "pic😉" keep their marks),
    padded with a space at each end.
    """
    plain = normalise(text.replace(_SEPARATOR, " "))
    words = tokens(plain)
    out = [(w, w) for w in words]
    out += [(f"{a} {b}", f"{a} {b}") for a, b in itertools.pairwise(words)]
    pieces = [p for p in _SPACES.split(plain.encode("utf-8", _UNPAIRED)) if p]
    for n in GRAMS:
        for piece in pieces:
            padded = b" " + piece + b" "
            label = piece.decode("utf-8", errors="replace")
            out += [
                (padded[i : i + n].decode("utf-8", errors="replace"), label)
                for i in range(len(padded) - n + 1)
            ]
    return out


def label_totals(
    text: str,
    weights: npt.ArrayLike,
    key: Callable[[str], str] | None = None,
) -> dict[str, float] | None:
    """The weights of ``text``'s features (as ``hashed`` gives them) summed
    by the word each belongs to (``_labelled``), or by ``key(word)``, in
    order of first appearance; None when ``weights`` does not have one
    weight per feature.

    The same sums as walking ``_labelled(text)`` and adding each weight to
    its word's total, in the same order, but with one Python step per word
    and piece rather than per feature: a line of 100,000 characters has
    half a million letter runs.
    """
    plain = normalise(text.replace(_SEPARATOR, " "))
    words = tokens(plain)
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    pieces = [p for p in _SPACES.split(plain.encode("utf-8", _UNPAIRED)) if p]
    sizes = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    runs = [np.maximum(sizes + 3 - n, 0) for n in GRAMS]  # letter runs per piece
    values = np.asarray(weights, dtype=np.float64)
    if len(words) + len(pairs) + sum(int(r.sum()) for r in runs) != len(values):
        return None
    labels = [*words, *pairs, *(p.decode("utf-8", errors="replace") for p in pieces)]
    # Distinct labels in order of first appearance, each given its key once.
    ids: dict[str, int] = {}
    id_of = {
        w: ids.setdefault(key(w) if key else w, len(ids)) for w in dict.fromkeys(labels)
    }
    of_label = np.fromiter(map(id_of.__getitem__, labels), np.int64, len(labels))
    head = len(words) + len(pairs)
    piece_ids = of_label[head:]
    owner = np.concatenate([of_label[:head], *(np.repeat(piece_ids, r) for r in runs)])
    # bincount adds in feature order, as the walk over ``_labelled`` does.
    sums = np.bincount(owner, weights=values, minlength=len(ids))
    return dict(zip(ids, sums.tolist(), strict=True))


def features(text: str) -> list[str]:
    """Words, word pairs, then letter runs, in the order ``hashed`` gives them."""
    return [feature for feature, _ in _labelled(text)]


def hashed(texts: Sequence[str], bits: int) -> tuple[IntArray, IntArray]:
    """(message index, bucket) of every feature of a batch.

    Words come first, in order, then word pairs in order, then the letter
    runs of each length in ``GRAMS`` in order, as ``features``. This is the
    feature function: ``scoring.Scorer`` gives the same sums faster and
    ``test_screening_parity`` holds the two together.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not texts:
        return empty, empty
    keys = feature_keys(plain_batch(texts))
    # A message's features never depend on the batch it is read in: a lone
    # message of emoji or punctuation keeps its letter runs.
    return keys.index(), keys.buckets(bits)


def plain_batch(texts: Sequence[str]) -> str:
    """A batch as one text, ``_plain`` read, messages parted by ``_SEPARATOR``."""
    joined = _plain(_SEPARATOR.join(texts))
    if joined.count(_SEPARATOR) != len(texts) - 1:
        clean = [t.replace(_SEPARATOR, " ") for t in texts]
        joined = _plain(_SEPARATOR.join(clean))
    return joined


@dataclass(frozen=True, slots=True)
class FeatureKeys:
    """The 64-bit keys of a batch's features, before they become buckets."""

    words: npt.NDArray[np.uint64]
    word_message: IntArray
    same: npt.NDArray[np.bool_]  # word i and word i + 1 are in one message
    grams: npt.NDArray[np.uint64]
    gram_message: IntArray

    def pairs(self) -> npt.NDArray[np.uint64]:
        same, words = self.same, self.words
        return pair_keys(words[:-1][same], words[1:][same])

    def index(self) -> IntArray:
        index = [self.word_message, self.word_message[1:][self.same], self.gram_message]
        return np.concatenate(index).astype(np.int64)

    def buckets(self, bits: int) -> IntArray:
        # Words and pairs take the lower half of the buckets, letter runs the
        # upper half, so the many runs never crowd out a word's own weight.
        low = word_buckets(np.concatenate([self.words, self.pairs()]), bits)
        shift = np.uint64(64 - bits + 1)
        high = (_mix(self.grams) >> shift) + np.uint64(1 << (bits - 1))
        return np.concatenate([low, high]).astype(np.int64)


def pair_keys(
    first: npt.NDArray[np.uint64], second: npt.NDArray[np.uint64]
) -> npt.NDArray[np.uint64]:
    return (first * _PAIR) ^ (second + _PAIR)


def word_buckets(keys: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    return _mix(keys) >> np.uint64(64 - bits + 1)


def feature_keys(joined: str) -> FeatureKeys:
    """Keys of the features of ``plain_batch``'s text (every message's letter
    runs, even in a batch without a word: ``hashed`` drops those)."""
    data = np.frombuffer(joined.encode("utf-8", _UNPAIRED), dtype=np.uint8)
    data = _collapse_runs(data)
    is_token = _TOKEN_BYTE[data]
    message = np.cumsum(data == 0)
    edge = np.diff(is_token.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)
    positions = np.flatnonzero(is_token)
    owner = np.cumsum(edge[:-1] == 1)[positions] - 1
    offset = np.minimum(ends[owner] - 1 - positions, 63)
    codes = data[positions].astype(np.uint64) * _POW[offset]
    if len(starts):
        words = np.add.reduceat(codes, np.searchsorted(positions, starts))
    else:
        words = np.zeros(0, dtype=np.uint64)
    word_message = message[starts]
    same = word_message[1:] == word_message[:-1]
    gram_keys, gram_message = _grams(data, message)
    return FeatureKeys(words, word_message, same, gram_keys, gram_message)


def _grams(
    data: npt.NDArray[np.uint8], message: IntArray
) -> tuple[npt.NDArray[np.uint64], IntArray]:
    """Hashes and messages of every letter run of ``GRAMS`` lengths that lies
    inside one space-padded word: every byte but the first and last of the
    window belongs to the word (the ends may be its padding)."""
    # Every space is byte 32, and a space at each end pads the first and
    # last words.
    padded = np.concatenate([_GRAM_EDGE, _GRAM_VALUE[data], _GRAM_EDGE])
    inside = padded != 32
    rolled = padded[:-1] * _MULT + padded[1:]
    interior = inside[1:-1]  # the one inner byte of a window of three
    keys: list[npt.NDArray[np.uint64]] = []
    where: list[IntArray] = []
    for n in range(3, GRAMS[-1] + 1):
        rolled = rolled[:-1] * _MULT + padded[n - 1 :]
        if n > 3:
            interior = interior[:-1] & inside[n - 2 : -1]
        if n not in GRAMS:  # pragma: no cover - GRAMS is a fixed run of lengths
            continue
        found = np.flatnonzero(interior)
        keys.append(rolled[found] ^ _GRAM_SALT[n])
        where.append(message[found])  # padded position found + 1 is data's found
    return np.concatenate(keys), np.concatenate(where)


def _collapse_runs(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    if len(data) < 3:
        return data
    triple = (
        (data[2:] == data[1:-1]) & (data[1:-1] == data[:-2]) & _TOKEN_BYTE[data[2:]]
    )
    if not triple.any():
        return data
    keep = np.ones(len(data), dtype=bool)
    keep[2:] = ~triple
    return data[keep]


def _mix(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    keys = keys ^ (keys >> np.uint64(31))
    keys = keys * _MIX
    return keys ^ (keys >> np.uint64(29))


@dataclass(frozen=True, slots=True, eq=False)
class RiskModel:
    """Weights per hash bucket; ``score`` is the log-odds of grooming talk."""

    bits: int
    bias: float
    weights: FloatArray  # dense, one weight per bucket

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """Log-odds for each text of a batch, in one pass."""
        index, buckets = hashed(texts, self.bits)
        sums = np.bincount(index, weights=self.weights[buckets], minlength=len(texts))
        return (sums + self.bias).astype(np.float32)

    def score(self, text: str) -> float:
        return float(self.scores([text])[0])

    def probability(self, text: str) -> float:
        return float(1.0 / (1.0 + np.exp(-np.clip(self.score(text), -30.0, 30.0))))

    def explain(self, text: str, top: int = 3) -> tuple[tuple[str, float], ...]:
        """The words (or word pairs) of this message that raised its score
        most; a word's weight includes the letter runs taken from it."""
        _, buckets = hashed([text], self.bits)
        totals = label_totals(text, self.weights[buckets])
        if totals is None:
            return ()  # rare text the word labeller splits otherwise: no words
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        return tuple((f, round(w, 3)) for f, w in ranked[:top] if w > 0)

    def to_bytes(self) -> bytes:
        """Weights quantised to int8 with one scale, compressed."""
        scale = float(np.abs(self.weights).max()) / 127 or 1.0
        quantised = np.round(self.weights / scale).astype(np.int8)
        out = io.BytesIO()
        np.savez_compressed(
            out,
            format=np.array(FORMAT),
            header=np.array([self.bits, self.bias, scale], dtype=np.float64),
            weights=quantised,
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> RiskModel:
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    raise ScreeningError("not a SafeContact risk model file")
                bits, bias, scale = data["header"].tolist()
                quantised = data["weights"]
        except (OSError, ValueError, KeyError) as error:
            raise ScreeningError(f"cannot read model: {error}") from error
        if quantised.shape != (1 << int(bits),) or quantised.dtype != np.int8:
            raise ScreeningError("bad model weights")
        weights = (quantised.astype(np.float32) * np.float32(scale)).astype(np.float32)
        weights.setflags(write=False)
        return cls(int(bits), float(bias), weights)

    @classmethod
    def load(cls, path: Path | str) -> RiskModel:
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise ScreeningError(f"cannot read model: {error}") from error
        return cls.from_bytes(raw)


@cache
def default_model() -> RiskModel:
    """The model shipped with the package."""
    return RiskModel.load(PARAMS)
