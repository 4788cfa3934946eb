"""Parsers for chat exports brought in from outside SafeContact (WhatsApp first)."""

from safeguarding.chatlogs.errors import ChatlogError
from safeguarding.chatlogs.phrases import EventKind
from safeguarding.chatlogs.whatsapp import (
    ChatEvent,
    ChatItem,
    ChatMessage,
    DateOrder,
    UnparsedLine,
    parse_file,
    parse_lines,
    parse_text,
)

__all__ = [
    "ChatEvent",
    "ChatItem",
    "ChatMessage",
    "ChatlogError",
    "DateOrder",
    "EventKind",
    "UnparsedLine",
    "parse_file",
    "parse_lines",
    "parse_text",
]
