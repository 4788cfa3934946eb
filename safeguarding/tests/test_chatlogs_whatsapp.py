# ruff: noqa: RUF001 (test lines are in many scripts on purpose)
"""WhatsApp export parser, on synthetic exports written for these tests only."""

import io
import sys
import zipfile
from datetime import datetime
from itertools import islice
from pathlib import Path

import pytest

from safeguarding.chatlogs import (
    ChatEvent,
    ChatlogError,
    ChatMessage,
    EventKind,
    UnparsedLine,
    parse_file,
    parse_lines,
    parse_text,
)
from safeguarding.chatlogs import files as chatfiles
from safeguarding.chatlogs.phrases import attachment_name, classify_system
from safeguarding.chatlogs.whatsapp import LOOKAHEAD_LINES, YEAR_NOT_WRITTEN

FIXTURES = Path(__file__).parent / "chatlogs_fixtures"
LRM, RLM, NNBSP = "\u200e", "\u200f", "\u202f"


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """Exports carry no timezone, so the parser's timestamps are naive."""
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001


def only(text: str):
    items = list(parse_text(text))
    assert len(items) == 1, items
    return items[0]


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("12/31/20, 9:05 PM - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("31/12/2020, 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("[31/12/2020, 21:05:33] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        (
            f"{LRM}[12/31/20, 9:05:33{NNBSP}PM] Ada: hi",
            at(2020, 12, 31, 21, 5, 33),
        ),
        ("31/12/2020, 9:05 p. m. - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("31/12/2020, 12:05 a. m. - Ada: hi", at(2020, 12, 31, 0, 5)),
        ("31/12/2020, 12:05 pm - Ada: hi", at(2020, 12, 31, 12, 5)),
        ("31/12/2020, 9:05 a.m. - Ada: hi", at(2020, 12, 31, 9, 5)),
        ("31.12.20, 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("31.12.20 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("31-12-2020 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("2020-12-31, 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("[2020/12/31 21:05] Ada: hi", at(2020, 12, 31, 21, 5)),
        ("[31/12/20 21.05.33] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("[21:05:33, 31/12/20] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("[12/31/2563 BE, 21:05:33] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("[12/31/R2, 21:05:33] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("[12/31/H30, 21:05:33] Ada: hi", at(2018, 12, 31, 21, 5, 33)),
        (
            f"[{RLM}31{RLM}/12{RLM}/2020\u060c 21:05:33] Ada: hi",
            at(2020, 12, 31, 21, 5, 33),
        ),
        ("[٣١/١٢/٢٠٢٠، ٩:٠٥:٣٣ م] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("[31/12/20, 午後9:05:33] Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("31/12/20, 21:05:33: Ada: hi", at(2020, 12, 31, 21, 5, 33)),
        ("31/12/2020, 9:05 vorm. - Ada: hi", at(2020, 12, 31, 9, 5)),
        ("31/12/2020, 9:05 zz - Ada: hi", at(2020, 12, 31, 9, 5)),
        ("31/12/2020, 13:05 PM - Ada: hi", at(2020, 12, 31, 13, 5)),
        ("31 Dec 2020, 21:05 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("31 Dez 21:05 - Ada: hi", at(YEAR_NOT_WRITTEN, 12, 31, 21, 5)),
        ("Dec 31, 9:05 PM - Ada: hi", at(YEAR_NOT_WRITTEN, 12, 31, 21, 5)),
        ("Dec 31, 2020, 9:05 PM - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("21:05, 31 Dec 2020 - Ada: hi", at(2020, 12, 31, 21, 5)),
        ("21:05, 29 Feb - Ada: hi", at(YEAR_NOT_WRITTEN, 2, 29, 21, 5)),
    ],
)
def test_it_reads_each_timestamp_layout(line, when):
    item = only(line)
    assert isinstance(item, ChatMessage)
    assert (item.timestamp, item.sender, item.text) == (when, "Ada", "hi")


@pytest.mark.parametrize(
    ("lines", "month"),
    [
        (["01/02/21, 10:00 - A: x", "13/02/21, 10:00 - A: y"], 2),  # day > 12: DMY
        (["01/02/21, 10:00 - A: x", "02/13/21, 10:00 - A: y"], 1),  # MDY
        (["01/02/21, 10:00 - A: x"], 2),  # undecided, 24h: DMY
        (["01/02/21, 10:00 AM - A: x"], 1),  # undecided slashes on 12h: MDY
        (["01.02.21, 10:00 AM - A: x"], 2),
        (["2021-03-04, 10:00 - A: x", "01/02/21, 10:00 - A: y"], 3),
        (["1 Feb 2021, 10:00 - A: x", "01/02/21, 10:00 - A: y"], 2),
    ],
)
def test_it_settles_day_month_order_per_file(lines, month):
    first = next(parse_lines(lines))
    assert first.timestamp.month == month


def test_an_explicit_order_wins():
    item = next(parse_lines(["01/02/21, 10:00 - A: x"], date_order="MDY"))
    assert item.timestamp == at(2021, 1, 2, 10, 0)


def test_the_order_falls_back_after_the_lookahead():
    lines = ["01/02/21, 10:00 - A: x"] * (LOOKAHEAD_LINES + 1)
    items = list(parse_lines([*lines, "02/13/21, 10:00 - A: y"]))
    assert items[0].timestamp.month == 2
    assert items[-1].text == "x\n02/13/21, 10:00 - A: y"  # no 13th month in DMY


@pytest.mark.parametrize(
    ("text", "kind", "actor", "target"),
    [
        (
            "Messages and calls are end-to-end encrypted.",
            "encryption_notice",
            None,
            None,
        ),
        ('Ada created group "Choir"', "created", "Ada", "Choir"),
        ("Ada created group “Choir”", "created", "Ada", "Choir"),
        ("Ada hat die Gruppe „Chor“ erstellt", "created", "Ada", "Chor"),
        (
            'Ada changed the subject from "A" to "B: C"',
            "changed_subject",
            "Ada",
            "B: C",
        ),
        ('Ada changed the group name to "Choir"', "changed_subject", "Ada", "Choir"),
        ("Ada joined using this group's invite link", "joined", "Ada", None),
        ("Ada se unió con el enlace de invitación", "joined", "Ada", None),
        ("Ada left", "left", "Ada", None),
        ("Ada hat die Gruppe verlassen", "left", "Ada", None),
        ("Ada removed Ben", "removed", "Ada", "Ben"),
        ("Ada a retiré Ben", "removed", "Ada", "Ben"),
        ("Ada added Ben", "added", "Ada", "Ben"),
        ("Ada hat Ben hinzugefügt", "added", "Ada", "Ben"),
        ("Ada добавил(а) Ben", "added", "Ada", "Ben"),
        ("Ada changed this group's icon", "other", None, None),
        ("You deleted this message", "deleted", None, None),
    ],
)
def test_it_keeps_system_lines_as_events(text, kind, actor, target):
    item = only(f"31/12/2020, 21:05 - {text}")
    assert isinstance(item, ChatEvent)
    assert (item.kind, item.actor, item.target, item.raw) == (kind, actor, target, text)


@pytest.mark.parametrize(
    ("text", "kind", "actor"),
    [
        ("<Media omitted>", EventKind.MEDIA_OMITTED, "Ada"),
        ("<Medien ausgeschlossen>", EventKind.MEDIA_OMITTED, "Ada"),
        (f"{LRM}image omitted", EventKind.MEDIA_OMITTED, "Ada"),
        (f"{LRM}Bild weggelassen", EventKind.MEDIA_OMITTED, "Ada"),
        (f"{LRM}画像は含まれていません", EventKind.MEDIA_OMITTED, "Ada"),
        ("This message was deleted", EventKind.DELETED, "Ada"),
        ("Ce message a été supprimé", EventKind.DELETED, "Ada"),
        (f"{LRM}Ben added Cy", EventKind.ADDED, "Ben"),
        (
            f"{LRM}Messages and calls are end-to-end encrypted.",
            "encryption_notice",
            None,
        ),
    ],
)
def test_it_turns_placeholders_into_events(text, kind, actor):
    item = only(f"[31/12/2020, 21:05:33] Ada: {text}")
    assert isinstance(item, ChatEvent)
    assert (item.kind, item.actor) == (kind, actor)


@pytest.mark.parametrize(
    ("text", "attachment"),
    [
        (
            f"{LRM}<attached: 00000001-PHOTO-2020-12-31.jpg>",
            "00000001-PHOTO-2020-12-31.jpg",
        ),
        ("IMG-20201231-WA0001.jpg (file attached)", "IMG-20201231-WA0001.jpg"),
    ],
)
def test_it_flags_attached_media(text, attachment):
    item = only(f"31/12/2020, 21:05 - Ada: {text}")
    assert isinstance(item, ChatMessage)
    assert (item.media, item.attachment, item.text) == (True, attachment, "")


def test_a_placeholder_with_a_caption_is_a_media_message():
    item = only("31/12/2020, 21:05 - Ada: <Media omitted>\nour banner")
    assert isinstance(item, ChatMessage)
    assert (item.media, item.attachment, item.text) == (True, None, "our banner")


@pytest.mark.parametrize(
    ("text", "sender", "body"),
    [
        ("Ada: one\ntwo\n\nthree", "Ada", "one\ntwo\n\nthree"),
        ("Ada:", "Ada", ""),
        ("Ada: ", "Ada", ""),
        ("+44 7700 900123: hi", "+44 7700 900123", "hi"),
        (f"Ada: {LRM}Location: somewhere", "Ada", "Location: somewhere"),
        (
            "Ada: This message was deleted\nnot really",
            "Ada",
            "This message was deleted\nnot really",
        ),
        (
            "Ada: see 01/02/21, 10:00 - B: quoted",
            "Ada",
            "see 01/02/21, 10:00 - B: quoted",
        ),
    ],
)
def test_it_reads_messages(text, sender, body):
    item = only(f"31/12/2020, 21:05 - {text}")
    assert isinstance(item, ChatMessage)
    assert (item.sender, item.text, item.media) == (sender, body, False)


def test_an_event_keeps_its_continuation_lines():
    item = only("31/12/2020, 21:05 - Ada changed this group's icon\nmore")
    assert isinstance(item, ChatEvent)
    assert item.raw == "Ada changed this group's icon\nmore"


def test_a_long_prefix_before_a_colon_is_not_a_sender():
    item = only(f"31/12/2020, 21:05 - {'x' * 90}: y")
    assert isinstance(item, ChatEvent)
    assert item.kind == EventKind.OTHER


def test_it_reports_lines_it_cannot_place():
    text = "\n".join(
        [
            "exported by a phone",
            "31/02/2020, 21:05 - Ada: no such day",
            "31/12/2020, 21:05 - Ada: fine",
            "32/13/2020, 21:05 - Ada: quoted bad header",
        ]
    )
    items = list(parse_text(text + "\n"))
    assert items[:2] == [
        UnparsedLine(1, "exported by a phone"),
        UnparsedLine(2, "31/02/2020, 21:05 - Ada: no such day"),
    ]
    assert items[2].line_no == 3
    assert items[2].text == "fine\n32/13/2020, 21:05 - Ada: quoted bad header"


def test_it_numbers_lines_across_line_endings():
    items = list(parse_text("31/12/2020, 21:05 - A: x\r\ny\r31/12/2020, 21:06 - B: z"))
    assert [(item.line_no, item.text) for item in items] == [(1, "x\ny"), (3, "z")]


def test_it_reads_nothing_from_nothing():
    assert list(parse_text("")) == []


def test_it_reuses_timestamps_but_bounds_its_cache():
    lines = [
        f"{d}/12/2020, {h:02}:{m:02} - A: x"
        for d in (29, 30, 31)
        for h in range(24)
        for m in range(60)
    ]
    items = list(parse_lines(lines * 2))
    assert len(items) == 2 * 3 * 24 * 60
    assert items[-1].timestamp == at(2020, 12, 31, 23, 59)


def test_it_reads_the_android_fixture():
    items = list(parse_file(FIXTURES / "android_dmy.txt"))
    kinds = [getattr(item, "kind", type(item).__name__) for item in items]
    assert kinds == [
        "UnparsedLine",
        "encryption_notice",
        "created",
        "added",
        "ChatMessage",
        "media_omitted",
        "deleted",
        "joined",
        "left",
    ]
    assert items[4].text == "Thanks for adding me\nI can do the tuck shop"
    assert items[4].timestamp == at(2024, 2, 14, 18, 32)


def test_it_reads_the_ios_fixture_with_bom_and_crlf():
    items = list(parse_file(FIXTURES / "_chat.txt"))
    assert [item.line_no for item in items] == [1, 2, 4, 5]
    assert items[0].kind == EventKind.ADDED and items[0].target == "Pat Volunteer"
    assert items[1].text == "Hello all\nsecond line"
    assert items[2].timestamp == at(2024, 2, 13, 8, 1)
    assert items[3].attachment == "00000001-PHOTO-2024-02-13-08-02-00.jpg"


def test_parse_file_takes_an_explicit_order():
    items = list(parse_file(FIXTURES / "android_dmy.txt", date_order="YMD"))
    assert len(items) == 9


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_it_reads_each_encoding(tmp_path, encoding):
    text = "31/12/2020, 21:05 - Zoë: café ☕\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    path = tmp_path / "chat.txt"
    path.write_bytes(data)
    [item] = parse_file(path)
    assert (item.sender, item.text) == ("Zoë", "café ☕")


def test_it_reads_a_windows_latin1_export(tmp_path):
    path = tmp_path / "chat.txt"
    clean = b"31/12/2020, 21:05 - Ada: coffee at ten\n" * 100
    path.write_bytes(b"31/12/2020, 21:05 - Ada: caf\xe9 at ten\n" + clean)
    items = list(parse_file(path))
    assert items[0].text == "caf\u00e9 at ten"


def test_it_tolerates_a_few_bad_bytes_in_utf8(tmp_path):
    path = tmp_path / "chat.txt"
    clean = "31/12/2020, 21:05 - Zoë: coffee at ten\n".encode() * 100
    path.write_bytes(b"31/12/2020, 21:05 - Ada: caf\xc3 at ten\n" + clean)
    items = list(parse_file(path))
    assert items[0].text == "caf\ufffd at ten"
    assert items[1].sender == "Zoë"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"31/12/2020, 21:05 - Ada: hi\n\x00\x01\x02\x03binary", "NUL"),
        (bytes(range(1, 32)) * 50, "binary"),
    ],
)
def test_it_refuses_a_file_that_is_not_text(tmp_path, data, reason):
    path = tmp_path / "chat.txt"
    path.write_bytes(data)
    with pytest.raises(ChatlogError, match=reason):
        list(parse_file(path))


def test_it_refuses_binary_that_starts_after_a_text_header(tmp_path):
    path = tmp_path / "chat.txt"
    text = b"31/12/2020, 21:05 - Ada: coffee at ten\n" * 2000  # past the sniff
    path.write_bytes(text + bytes(range(1, 9)) * 5000)
    with pytest.raises(ChatlogError, match="binary"):
        list(parse_file(path))


def test_it_reads_an_export_with_a_stray_nul(tmp_path):
    path = tmp_path / "chat.txt"
    lines = b"31/12/2020, 21:05 - Ada: coffee at ten\n" * 50
    path.write_bytes(lines + b"31/12/2020, 21:06 - Ada: odd\x00byte\n" + lines)
    items = list(parse_file(path))
    assert len(items) == 101


def test_it_reads_utf16_without_a_bom(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes("31/12/2020, 21:05 - Zoë: café\n".encode("utf-16-le"))
    [item] = parse_file(path)
    assert (item.sender, item.text) == ("Zoë", "café")


def test_a_huge_line_that_looks_like_a_system_line_is_read_in_linear_time():
    line = "31/12/2020, 21:05 - " + 'A created group "x' * 20_000
    [item] = parse_text(line + "\n")
    assert item.kind is EventKind.OTHER


@pytest.mark.parametrize(
    "name",
    [
        "_chat.txt",
        "WhatsApp Chat with Choir.txt",
        "folder/WhatsApp Chat - Choir.txt",
        "x.txt",
    ],
)
def test_it_reads_a_zip_export(tmp_path, name):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IMG-20201231-WA0001.jpg", b"\xff\xd8 not really a jpeg")
        archive.writestr("folder/", b"")
        archive.writestr(name, "[31/12/2020, 21:05:33] Ada: from the zip\n")
    [item] = parse_file(path)
    assert item.text == "from the zip"


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00broken" * 50), "corrupt"),
        (lambda p: write_zip(p, {"a.jpg": b"x"}), "no WhatsApp chat"),
        (lambda p: write_zip(p, {"a.txt": b"x", "b.txt": b"y"}), "no WhatsApp chat"),
        (lambda p: write_zip(p, {"_chat.txt": b"0" * 2_000_000}), "suspiciously"),
        (lambda p: p.write_bytes(bytes(range(256)) * 64), "binary"),
        (lambda p: p.write_bytes(b"\x80\x81\x82\xfe" * 1000), "binary"),
    ],
)
def test_it_refuses_what_is_not_an_export(tmp_path, make, message):
    path = tmp_path / "export.zip"
    make(path)
    with pytest.raises(ChatlogError, match=message):
        parse_file(path)


def test_it_refuses_an_oversized_member(tmp_path, monkeypatch):
    monkeypatch.setattr(chatfiles, "MAX_MEMBER_BYTES", 100)
    path = write_zip(
        tmp_path / "e.zip", {"_chat.txt": "31/12/2020, 21:05 - A: x\n" * 9}
    )
    with pytest.raises(ChatlogError, match="too large"):
        parse_file(path, date_order="DMY")


def test_it_refuses_an_encrypted_zip(tmp_path):
    path = write_zip(tmp_path / "e.zip", {"_chat.txt": "31/12/2020, 21:05 - A: x\n"})
    data = bytearray(path.read_bytes())
    data[6] |= 1  # local header: "encrypted"
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1  # central directory: "encrypted"
    path.write_bytes(bytes(data))
    with pytest.raises(ChatlogError, match="encrypted"):
        parse_file(path)


def test_it_refuses_a_zip_whose_compressed_text_is_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_chat.txt",
            "".join(f"31/12/2020, 21:05 - A: line {n * 7919}\n" for n in range(20000)),
        )
    data = bytearray(buffer.getvalue())
    data[200:208] = b"\xff" * 8  # inside the deflated text: zlib cannot inflate it
    with pytest.raises(ChatlogError, match="corrupt"):
        list(parse_file(lambda: io.BytesIO(bytes(data))))


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(ChatlogError, match="cannot open"):
        parse_file(tmp_path / "nope.txt")


def test_it_reads_a_zip_export_from_an_opener(tmp_path):
    path = write_zip(tmp_path / "c.zip", {"_chat.txt": "31/12/2020, 21:05 - A: x\n"})
    opened = []

    def opener():
        opened.append(1)
        return io.BytesIO(path.read_bytes())

    (item,) = parse_file(opener)
    assert item == ChatMessage(1, at(2020, 12, 31, 21, 5), "A", "x")
    assert len(opened) == 2  # once to settle the date order, once to read


def test_it_refuses_an_opener_that_fails():
    def opener():
        raise PermissionError(13, "Permission denied")

    with pytest.raises(ChatlogError, match="cannot open the export: Permission"):
        parse_file(opener)


def test_it_streams_a_large_file_lazily(tmp_path):
    path = tmp_path / "big.txt"
    line = "31/12/2020, 21:05 - Ada: the same message again\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(200):
            out.write(line * 1000)
    items = parse_file(path)
    first = list(islice(items, 5))
    assert [item.line_no for item in first] == [1, 2, 3, 4, 5]
    assert sum(1 for _ in items) == 200_000 - 5


def test_parse_lines_pulls_only_what_it_needs():
    pulled = []

    def endless():
        n = 0
        while True:
            n += 1
            pulled.append(n)
            yield "13/12/2020, 21:05 - Ada: again\n"

    first = list(islice(parse_lines(endless()), 3))
    assert len(first) == 3
    assert len(pulled) < 10


def test_phrase_helpers_stand_alone():
    assert classify_system("nothing we know").kind == EventKind.OTHER
    assert attachment_name("plain words") is None


def test_it_never_imports_django(monkeypatch):
    for name in [m for m in sys.modules if m.startswith("safeguarding.chatlogs")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "django", None)
    import safeguarding.chatlogs.whatsapp  # noqa: F401
