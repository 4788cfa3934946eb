"""Share of WhatsApp export lines the chatlogs parser could not place.

Reads the fixtures (every .txt and .zip below the folder) and the real chats
(`text` of each JSON line). A fixture folder also holds licence texts and
notes; they are left out by rule: a .txt whose name starts with LICENSE,
COPYING or NOTICE (any case). Prints counts and rates only, never contents,
names or file names.

    python benchmarks/eval_whatsapp.py [FIXTURE_DIR] [REAL_CHATS_JSONL_XZ]
"""

from __future__ import annotations

import argparse
import json
import lzma
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from safeguarding.chatlogs import (
    ChatItem,
    ChatlogError,
    UnparsedLine,
    parse_file,
    parse_text,
)
from safeguarding.chatlogs.files import open_lines

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FIXTURES = DATA / "whatsapp" / "fixtures"
REAL_CHATS = DATA / "chats" / "whatsapp-real-dev.jsonl.xz"
_NOT_CHATS = ("license", "copying", "notice")


def fixture_files(fixture_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in fixture_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in {".txt", ".zip"}
        and not path.name.lower().startswith(_NOT_CHATS)
    )


def _unparsed(items: Iterable[ChatItem]) -> int:
    return sum(1 for item in items if isinstance(item, UnparsedLine))


def _file_lines(path: Path) -> int:
    with open_lines(path) as lines:
        return sum(1 for _ in lines)


def _lines_in(text: str) -> int:
    return len(text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n"))


def unparsed_line_rate(
    fixture_dir: Path | str, real_chats_path: Path | str
) -> dict[str, Any]:
    """{"whatsapp_unparsed_line_rate", "fixtures", "real_chats", "lines", ...}.

    The headline rate is the worse of the two sets, so the target holds for both.
    A file the parser refuses outright counts all of its lines as unplaced.
    """
    fix_lines = fix_unparsed = unreadable = 0
    for index, path in enumerate(fixture_files(Path(fixture_dir))):
        try:
            unparsed = _unparsed(parse_file(path))
            lines = _file_lines(path)
        except ChatlogError:
            print(f"fixture #{index}: unreadable")
            unreadable += 1
            continue
        fix_lines += lines
        fix_unparsed += unparsed
    real_lines = real_unparsed = chats = 0
    with lzma.open(real_chats_path, "rt", encoding="utf-8") as stream:
        for record in map(json.loads, stream):
            chats += 1
            real_lines += _lines_in(record["text"])
            real_unparsed += _unparsed(parse_text(record["text"]))
    fixtures = fix_unparsed / max(fix_lines, 1)
    real = real_unparsed / max(real_lines, 1)
    return {
        "whatsapp_unparsed_line_rate": max(fixtures, real),
        "fixtures": fixtures,
        "real_chats": real,
        "lines": fix_lines + real_lines,
        "fixture_files": len(fixture_files(Path(fixture_dir))),
        "fixture_files_unreadable": unreadable,
        "fixture_lines": fix_lines,
        "real_chat_files": chats,
        "real_chat_lines": real_lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("fixture_dir", nargs="?", default=FIXTURES, type=Path)
    parser.add_argument("real_chats", nargs="?", default=REAL_CHATS, type=Path)
    args = parser.parse_args()
    result = unparsed_line_rate(args.fixture_dir, args.real_chats)
    for key, value in result.items():
        shown = f"{value:.6f}" if isinstance(value, float) else str(value)
        print(f"{key:30} {shown}")


if __name__ == "__main__":
    main()
