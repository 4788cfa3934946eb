"""A streaming upload handler for chat exports, with its own size limit.

Exports are far larger than anything else SafeContact takes
(``UPLOAD_MAX_BYTES``), so their view swaps in this handler: the file goes
straight to a temporary file on disk, a chunk at a time, and the upload stops
once it passes ``AUDIT_UPLOAD_MAX_BYTES``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class ExportUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = 0
        self.too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.AUDIT_UPLOAD_MAX_BYTES:
            self.too_big = True
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def too_big_message() -> str:
    limit = settings.AUDIT_UPLOAD_MAX_BYTES / (1024 * 1024)
    return (
        f"The export is too large: the most we accept is {limit:g} MB. Export "
        "the chat without media (choose “Without media” in WhatsApp)."
    )
