# ruff: noqa: RUF001 (the phrase tables are in many scripts on purpose)
"""What WhatsApp writes instead of a message: system lines and media placeholders.

The phrasings are WhatsApp's own interface strings in the languages we meet,
written from knowledge of the app and kept deliberately loose (a keyword or a
sentence frame rather than the whole sentence), so that small wording changes
between app versions still land in the right kind.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class EventKind(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"
    ADDED = "added"
    DELETED = "deleted"
    MEDIA_OMITTED = "media_omitted"
    ENCRYPTION_NOTICE = "encryption_notice"
    CREATED = "created"
    CHANGED_SUBJECT = "changed_subject"
    OTHER = "other"


class SystemLine(NamedTuple):
    kind: EventKind
    actor: str | None
    target: str | None


_Q = "[\"'“”„«»「」‘’]"  # any quote WhatsApp puts round a group name
_A = r"(?P<actor>.+?)"
_T = r"(?P<target>.+?)"
_NAME = rf"{_Q}\s?(?P<target>.*?)\s?{_Q}"

_ENCRYPTION = re.compile(
    r"end-to-end|ende-zu-ende|encrypt|verschl[üu]ssel|chiffr|cifrad|crittograf"
    r"|encriptad|criptografad|шифр|šifrov|terenkrip|暗号化|เข้ารหัส|एंड-टू-एंड"
    r"|mã hóa|مشفر|szyfrowan|uçtan uca|versleuteld|端到端|종단간",
    re.IGNORECASE,
)

# Order matters: the first frame that matches decides the kind.
_FRAMES: tuple[tuple[EventKind, str], ...] = (
    (EventKind.CREATED, rf"^{_A} created (?:the )?group {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} hat (?:die )?Gruppe {_NAME} erstellt$"),
    (EventKind.CREATED, rf"^{_A} (?:creó|ha creado) (?:el )?grupo {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} a créé (?:le )?groupe {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} ha creato (?:il )?gruppo {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} criou (?:o )?grupo {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} создал(?:\(а\)|а)? группу {_NAME}$"),
    (EventKind.CREATED, rf"^{_A} heeft (?:de )?groep {_NAME} aangemaakt$"),
    (EventKind.CREATED, rf"^{_A} membuat grup {_NAME}$"),
    (
        EventKind.CHANGED_SUBJECT,
        rf"^{_A} changed (?:the )?(?:subject|group name)(?: from {_Q}.*?{_Q})?"
        rf" to {_NAME}$",
    ),
    (
        EventKind.CHANGED_SUBJECT,
        rf"^{_A} hat den (?:Betreff|Gruppennamen)(?: von {_Q}.*?{_Q})?"
        rf" (?:zu|in) {_NAME} geändert$",
    ),
    (EventKind.CHANGED_SUBJECT, rf"^{_A} cambió el (?:asunto|nombre)\b.*? a {_NAME}$"),
    (EventKind.CHANGED_SUBJECT, rf"^{_A} a (?:modifié|changé) le (?:sujet|nom)\b.*"),
    (EventKind.CHANGED_SUBJECT, rf"^{_A} ha (?:cambiato|modificato) l'oggetto\b.*"),
    (EventKind.CHANGED_SUBJECT, rf"^{_A} (?:mudou|alterou) o (?:assunto|nome)\b.*"),
    (EventKind.CHANGED_SUBJECT, rf"^{_A} изменил(?:\(а\)|а)? (?:тему|название)\b.*"),
    (EventKind.JOINED, rf"^{_A} joined(?: using (?:this group's|an?) invite link)?$"),
    (EventKind.JOINED, rf"^{_A} (?:ist )?(?:der Gruppe )?.*beigetreten$"),
    (EventKind.JOINED, rf"^{_A} se (?:unió|ha unido)\b.*"),
    (EventKind.JOINED, rf"^{_A} (?:a rejoint|s'est joint)\b.*"),
    (EventKind.JOINED, rf"^{_A} si è unit[oa]\b.*"),
    (EventKind.JOINED, rf"^{_A} entrou\b.*"),
    (EventKind.JOINED, rf"^{_A} присоединил(?:\(ась\)|ся|ась)\b.*"),
    (EventKind.JOINED, rf"^{_A} bergabung\b.*"),
    (EventKind.LEFT, rf"^{_A} left$"),
    (EventKind.LEFT, rf"^{_A} hat (?:die Gruppe )?verlassen$"),
    (EventKind.LEFT, rf"^{_A} (?:salió|ha salido)(?: del grupo)?$"),
    (EventKind.LEFT, rf"^{_A} est parti(?:e|\(e\))?$"),
    (EventKind.LEFT, rf"^{_A} (?:è uscit[oa]|ha abbandonato)\b.*"),
    (EventKind.LEFT, rf"^{_A} saiu$"),
    (EventKind.LEFT, rf"^{_A} (?:вышел|вышла|вышел\(а\))(?: из группы)?$"),
    (EventKind.LEFT, rf"^{_A} heeft (?:de groep )?verlaten$"),
    (EventKind.LEFT, rf"^{_A} keluar$"),
    (EventKind.REMOVED, rf"^{_A} removed {_T}$"),
    (EventKind.REMOVED, rf"^{_A} hat {_T} entfernt$"),
    (EventKind.REMOVED, rf"^{_A} (?:eliminó|ha eliminado) a {_T}$"),
    (EventKind.REMOVED, rf"^{_A} a retiré {_T}$"),
    (EventKind.REMOVED, rf"^{_A} ha rimosso {_T}$"),
    (EventKind.REMOVED, rf"^{_A} removeu {_T}$"),
    (EventKind.REMOVED, rf"^{_A} удалил(?:\(а\)|а)? {_T}$"),
    (EventKind.REMOVED, rf"^{_A} heeft {_T} verwijderd$"),
    (EventKind.REMOVED, rf"^{_A} mengeluarkan {_T}$"),
    (EventKind.ADDED, rf"^{_A} added {_T}$"),
    (EventKind.ADDED, rf"^{_A} hat {_T} hinzugefügt$"),
    (EventKind.ADDED, rf"^{_A} (?:añadió|ha añadido|agregó)(?: a)? {_T}$"),
    (EventKind.ADDED, rf"^{_A} (?:te )?(?:añadió|agregó)$"),
    (EventKind.ADDED, rf"^{_A} (?:t'|vous )?a ajouté {_T}$"),
    (EventKind.ADDED, rf"^{_A} (?:ti )?ha aggiunto {_T}$"),
    (EventKind.ADDED, rf"^{_A} (?:te )?adicionou {_T}$"),
    (EventKind.ADDED, rf"^{_A} добавил(?:\(а\)|а)? {_T}$"),
    (EventKind.ADDED, rf"^{_A} heeft {_T} toegevoegd$"),
    (EventKind.ADDED, rf"^{_A} menambahkan {_T}$"),
)
_COMPILED = tuple((kind, re.compile(frame)) for kind, frame in _FRAMES)

_DELETED = re.compile(
    r"^(?:this message was deleted|you deleted this message"
    r"|diese nachricht wurde gelöscht|du hast diese nachricht gelöscht"
    r"|ce message a été supprimé|vous avez supprimé ce message"
    r"|se eliminó este mensaje|eliminaste este mensaje|este mensaje fue eliminado"
    r"|questo messaggio è stato eliminato|hai eliminato questo messaggio"
    r"|(?:essa |esta )?mensagem (?:foi )?apagada|você apagou esta mensagem"
    r"|apagou esta mensagem|данное сообщение удалено|это сообщение удалено"
    r"|вы удалили (?:данное|это) сообщение|dit bericht is verwijderd"
    r"|je hebt dit bericht verwijderd|pesan ini telah dihapus"
    r"|anda menghapus pesan ini|bu mesaj silindi)\.?$"
)

# Android: the whole message is one bracketed placeholder.
_ANDROID_MEDIA = re.compile(
    r"^<[^<>]{0,20}(?:medi|médi|mídi|multimedia|медиа|медіа|medya|媒体|メディア"
    r"|미디어)[^<>]{0,30}>$"
)
# iOS: "<noun> <omitted>" (or the other way round), always behind a U+200E mark.
_IOS_MEDIA = re.compile(
    r"^(?:\S+(?: \S+){0,3} (?:omitted|weggelassen|absente?|omise?|omess[oa]"
    r"|omitid[oa]|não revelad[oa]|отсутству\w*|відсутн\w*|vynechán[oay]?"
    r"|tidak disertakan|weggelaten|dahil edilmedi|pominięt\w*|हटाई गई|छोड़ा गया"
    r"|छोड़ा गया|ถูกลบ)"
    r"|(?:đã bỏ|bỏ qua|ไม่มี|لم يتم)\b.*|.{1,12}は含まれていません)$",
    re.IGNORECASE,
)
_ATTACHED = re.compile(
    r"^<[^:<>]{1,30}: ?(?P<file>[^<>]+\.\w{1,5})>"
    r"|^(?P<file2>\S+\.\w{2,5}) \([^()]{3,30}\)$"
)


# WhatsApp's own lines are short; a longer one is read as "other" without
# trying the frames (their lazy names would cost time in the square of it).
SYSTEM_LINE_MAX = 1000


def classify_system(text: str) -> SystemLine:
    """Name the kind of a line WhatsApp wrote itself, with who did what to whom."""
    if len(text) > SYSTEM_LINE_MAX:
        return SystemLine(EventKind.OTHER, None, None)
    if _ENCRYPTION.search(text):
        return SystemLine(EventKind.ENCRYPTION_NOTICE, None, None)
    if is_deleted(text):
        return SystemLine(EventKind.DELETED, None, None)
    for kind, frame in _COMPILED:
        match = frame.match(text)
        if match:
            groups = match.groupdict()
            return SystemLine(kind, groups.get("actor"), groups.get("target"))
    return SystemLine(EventKind.OTHER, None, None)


def is_deleted(text: str) -> bool:
    return _DELETED.match(text.strip().lower()) is not None


def is_media_placeholder(text: str, *, marked: bool) -> bool:
    """True if `text` stands in for a photo, video, audio or sticker left out."""
    if _ANDROID_MEDIA.match(text.lower()):
        return True
    return marked and _IOS_MEDIA.match(text) is not None


def attachment_name(text: str) -> str | None:
    """The file name of an attachment the export included, if `text` names one."""
    match = _ATTACHED.match(text)
    if match is None:
        return None
    return match.group("file") or match.group("file2")
