"""A small learned model: logistic regression over hashed words.

It sees what word lists miss (how an offender's messages read as a whole) and
stays explainable: each word of a message adds its weight, so the words that
raised a score can be shown. The shipped parameters file holds only hash
buckets and weights, never words: ``benchmarks/fit_screening_model.py`` fits
it. Hashing is CRC-32, which is stable across processes and machines.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from safeguarding.screening.errors import ScreeningError

FORMAT = "safecontact-hashed-logreg/1"
PARAMS = Path(__file__).with_name("model_params.json")
_TOKEN = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def features(text: str) -> list[str]:
    """Words and adjacent word pairs."""
    words = tokens(text)
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


def bucket(feature: str, bits: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << bits) - 1)


@dataclass(frozen=True, slots=True)
class RiskModel:
    """Weights per hash bucket; ``score`` is the log-odds of grooming talk."""

    bits: int
    bias: float
    weights: Mapping[int, float]

    def score(self, text: str) -> float:
        get = self.weights.get
        return self.bias + sum(get(bucket(f, self.bits), 0.0) for f in features(text))

    def probability(self, text: str) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.score(text)))))

    def explain(self, text: str, top: int = 3) -> tuple[tuple[str, float], ...]:
        """The words (or word pairs) of this message that raised its score most."""
        weighted = {
            f: self.weights.get(bucket(f, self.bits), 0.0) for f in features(text)
        }
        ranked = sorted(weighted.items(), key=lambda item: -item[1])
        return tuple((f, round(w, 3)) for f, w in ranked[:top] if w > 0)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RiskModel:
        if data.get("format") != FORMAT:
            raise ScreeningError("not a SafeContact risk model file")
        bits, bias, raw = data["bits"], data["bias"], data["weights"]
        if not isinstance(bits, int) or not isinstance(bias, float):
            raise ScreeningError("bad model header")
        if not isinstance(raw, dict):
            raise ScreeningError("bad model weights")
        weights = {int(k): float(v) for k, v in raw.items()}
        return cls(bits, bias, MappingProxyType(weights))

    @classmethod
    def load(cls, path: Path | str) -> RiskModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ScreeningError(f"cannot read model: {error}") from error
        return cls.from_dict(data)


@cache
def default_model() -> RiskModel:
    """The model shipped with the package."""
    return RiskModel.load(PARAMS)
