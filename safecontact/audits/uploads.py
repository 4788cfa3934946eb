"""A streaming upload handler for chat exports, encrypting as it goes.

Exports are far larger than anything else SafeContact takes
(``UPLOAD_MAX_BYTES``), so their view swaps in this handler: the file is
encrypted a chunk at a time straight into the audit upload folder
(``sealed``), never held whole in memory and never written to disk in the
clear, and the upload stops once it passes ``AUDIT_UPLOAD_MAX_BYTES``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from safecontact.audits.sealed import SealedWriter

UPLOAD_FOLDER = "audit-uploads"


def upload_folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


class SealedUpload(UploadedFile):
    """An uploaded export, encrypted on disk at ``sealed_path`` as it arrives.

    Closing it (Django closes uploads when the request ends) deletes the
    file unless the audit has already taken it away.
    """

    def __init__(
        self, name: str | None, content_type: str | None, charset: str | None
    ) -> None:
        self.sealed_path = upload_folder() / f"incoming-{uuid.uuid4()}.sealed"
        self._writer = SealedWriter(self.sealed_path)
        super().__init__(None, name, content_type, 0, charset)

    def append(self, data: bytes) -> None:
        self._writer.write(data)
        self.size = self._writer.size

    def finish(self) -> None:
        self._writer.close()

    def close(self) -> None:
        self._writer.abandon()
        self.sealed_path.unlink(missing_ok=True)


class ExportUploadHandler(FileUploadHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = 0
        self.too_big = False
        self.upload: SealedUpload | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.upload = SealedUpload(self.file_name, self.content_type, self.charset)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self.upload is not None  # noqa: S101 (Django calls new_file first)
        self.received += len(raw_data)
        if self.received > settings.AUDIT_UPLOAD_MAX_BYTES:
            self.too_big = True
            self.upload.close()
            raise SkipFile
        self.upload.append(raw_data)
        return None

    def file_complete(self, file_size: int) -> SealedUpload | None:
        if self.upload is None or self.too_big:
            return None
        self.upload.finish()
        return self.upload

    def upload_interrupted(self) -> None:
        if self.upload is not None:
            self.upload.close()


def too_big_message() -> str:
    limit = settings.AUDIT_UPLOAD_MAX_BYTES / (1024 * 1024)
    return (
        f"The export is too large: the most we accept is {limit:g} MB. Export "
        "the chat without media (choose “Without media” in WhatsApp)."
    )
