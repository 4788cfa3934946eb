"""Readers for ../shared/data used by the screening evaluation and model fit.

They return text only to the code that scores it; nothing here prints
contents, conversation ids or file names.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safeguarding.chatlogs import ChatMessage, parse_text

# ../shared/data beside the checkout; SAFECONTACT_DATA points elsewhere (a
# git worktree sits one folder deeper).
DATA = Path(
    os.environ.get("SAFECONTACT_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
PJ = DATA / "grooming" / "pj-dev.jsonl.xz"
WHATSAPP = DATA / "chats" / "whatsapp-real-dev.jsonl.xz"
NPS = DATA / "chats" / "nps-chat.jsonl.xz"
PII = DATA / "pii" / "presidio-synth.jsonl.xz"
FIXTURES = DATA / "whatsapp" / "fixtures"

# A chat is "mostly English" when at least 20% of its word tokens are among
# these very common English function words (in other languages they are rare);
# measured over all its message texts.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "to",
        "is",
        "i",
        "it",
        "a",
        "of",
        "in",
        "that",
        "for",
        "on",
        "my",
        "me",
        "are",
        "be",
        "have",
        "not",
        "this",
        "what",
        "so",
        "we",
        "will",
        "can",
        "just",
        "no",
        "yes",
        "ok",
        "do",
        "was",
        "with",
        "your",
        "at",
        "but",
        "if",
    ]
)
ENGLISH_SHARE = 0.2
_WORD = re.compile(r"[^\W\d_]+")


def jsonl(path: Path | str) -> Iterator[dict[str, Any]]:
    with lzma.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            yield json.loads(line)


def fit_split(key: str) -> bool:
    """True for the ~70% of DEV items the model is fitted on; the rest stay
    unseen so the evaluation can report figures on conversations the model
    never saw (the official hold-out is kept by someone else)."""
    return hashlib.sha256(("fit:" + key).encode("utf-8")).digest()[0] < 0xB3


@dataclass(frozen=True, slots=True)
class Chat:
    key: str
    senders: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def english(self) -> bool:
        words = [w for t in self.texts for w in _WORD.findall(t.lower())]
        share = sum(w in ENGLISH_WORDS for w in words) / len(words) if words else 0
        return share >= ENGLISH_SHARE


def whatsapp_chats(path: Path | str) -> Iterator[Chat]:
    for record in jsonl(path):
        messages = [m for m in parse_text(record["text"]) if isinstance(m, ChatMessage)]
        yield Chat(
            record["id"],
            tuple(m.sender for m in messages),
            tuple(m.text for m in messages),
        )
