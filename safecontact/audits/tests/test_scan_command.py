import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

CHAT = (
    "12/03/2025, 18:01 - Sam Leader: Hi all, the rota for Sunday is up\n"
    "12/03/2025, 18:05 - Alex: thanks! see you at 10:30, tickets are £12.50\n"
    "12/03/2025, 18:07 - Stranger: you are so mature for your age, dont tell your mum we talk\n"
    "12/03/2025, 18:08 - Stranger: add me on snapchat, my number is 07700 900123\n"
    "12/03/2025, 18:09 - Stranger: how old are you? are your parents home tonight?\n"
    "12/03/2025, 18:10 - Stranger: send me a pic of you, just for me\n"
    "12/03/2025, 18:11 - Stranger: you are so special to me, nobody understands you like i do\n"
    "12/03/2025, 18:12 - Stranger: delete this chat after ok, our secret\n"
    "12/03/2025, 18:13 - Stranger: we could meet at the park on saturday, just us\n"
)
MESSAGES = 9


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("scan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def chat_file(tmp_path):
    path = tmp_path / "WhatsApp Chat with Youth.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


def test_it_explains_each_finding_with_its_sender_and_line(chat_file):
    out, _ = run(str(chat_file))
    assert "line 3 · Stranger · HIGH · Asking for secrecy: “dont tell your mum”" in out
    assert "Talk to your Safeguarding Lead" in out
    assert f"Read {MESSAGES} messages as whatsapp." in out


def test_it_raises_an_early_warning_when_a_sender_reaches_high(chat_file):
    out, _ = run(str(chat_file))
    assert "EARLY WARNING" in out
    assert "High risk: Stranger." in out


def test_it_leaves_ordinary_messages_alone(chat_file):
    out, _ = run(str(chat_file))
    assert "Sam Leader" not in out
    assert "Alex" not in out


def test_it_shows_progress_on_stderr(chat_file):
    _, err = run(str(chat_file))
    assert f"Scanned {MESSAGES} messages" in err


def test_it_can_leave_the_evidence_out(chat_file):
    out, _ = run(str(chat_file), "--no-evidence")
    assert "dont tell your mum" not in out
    assert "Asking for secrecy" in out


def test_it_writes_json_lines(chat_file):
    out, _ = run(str(chat_file), "--json", "--min-severity", "high")
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert {"line": 3, "sender": "Stranger"}.items() <= records[0].items()
    assert records[0]["indicator"] == "grooming.secrecy"
    assert records[-1]["summary"]["messages"] == MESSAGES
    assert records[-1]["summary"]["levels"]["Stranger"] == "high"


def test_it_reads_a_zip_export(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", CHAT)
    out, _ = run(str(path))
    assert "Asking for secrecy" in out


def test_it_reads_a_plain_text_file_line_by_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        "send me the rota\nplease keep this a secret between us, delete this chat\n"
    )
    out, _ = run(str(path))
    assert "Read 2 messages as text." in out
    assert "line 2 · (text)" in out
    assert "line 1 ·" not in out


def test_it_reads_utf16_text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my email is someone@example.org\n", encoding="utf-16")
    out, _ = run(str(path))
    assert "someone@example.org" in out


def test_it_survives_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"caf\xe9 at 10:30\n\xff\xfe\xfa rubbish\nhello\n")
    out, _ = run(str(path))
    assert "Read 3 messages as text." in out


def test_it_splits_a_huge_line_instead_of_holding_it_whole(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("a" * 250_000 + "\n")
    out, _ = run(str(path))
    assert "Read 3 messages as text." in out


def test_it_refuses_a_missing_file_clearly(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        run(str(tmp_path / "nope.txt"))


def test_it_refuses_a_corrupt_zip_clearly(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(CommandError, match="cannot be read as a chat export"):
        run(str(path))


def test_it_reports_no_findings_plainly(tmp_path):
    path = tmp_path / "ok.txt"
    path.write_text("see you on Sunday\nmy mum says hi\n")
    out, _ = run(str(path))
    assert "No findings." in out


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        ("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        ("notes.txt", b"hello\n\x00\x00\x00\x07\x00binary\n", "NUL bytes"),
        ("notes.txt", bytes(range(1, 9)) * 400, "binary"),
    ],
)
def test_it_refuses_a_binary_file_with_the_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=reason):
        run(str(path))


def test_it_refuses_a_zip_that_is_not_an_export_whatever_its_name(tmp_path):
    path = tmp_path / "notes.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x,y\n")
        archive.writestr("b.csv", "x,y\n")
    with pytest.raises(CommandError, match="no WhatsApp chat text"):
        run(str(path))


def test_it_reads_a_latin1_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("café crème: my email is zoë@example.org\n".encode("latin-1"))
    out, _ = run(str(path))
    assert "Email address: “zoë@example.org”" in out
    assert "\ufffd" not in out


def test_it_reads_a_utf16_whatsapp_export(tmp_path):
    path = tmp_path / "WhatsApp Chat with Youth.txt"
    path.write_text(CHAT, encoding="utf-16")
    out, _ = run(str(path))
    assert f"Read {MESSAGES} messages as whatsapp." in out
    assert "Asking for secrecy" in out


def test_it_finds_disguised_text_in_an_export(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(
        "12/03/2025, 18:07 - Stranger: d0nt t3ll ur mum, add me on s n a p\n",
        encoding="utf-8",
    )
    out, _ = run(str(path), "--json")
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    found = {r.get("indicator"): r.get("evidence") for r in records}
    assert found["grooming.secrecy"] == "d0nt t3ll ur mum"
    assert found["grooming.platform_move"] == "add me on s n a p"
