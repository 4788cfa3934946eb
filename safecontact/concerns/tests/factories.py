"""Build cases the way the app does: through the reporting service."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from safecontact.accounts.models import Organisation, User
from safecontact.concerns import services
from safecontact.concerns.images import CleanImage
from safecontact.concerns.models import Case

NARRATIVE = (
    "A man called Zed on the games chat asked Sam for a photo in school uniform."
)


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_case(
    organisation: Organisation,
    *,
    actor: User | None = None,
    about_user: User | None = None,
    narrative: str = NARRATIVE,
    images: int = 0,
    **report: Any,
) -> Case:
    pics = [CleanImage(png_bytes(), "image/png", 40, 30) for _ in range(images)]
    report.setdefault("anonymous", True)
    return services.report_concern(
        actor=actor,
        organisation=organisation,
        report=services.ConcernReport(narrative=narrative, images=pics, **report),
        source=Case.Source.IN_APP if actor else Case.Source.PUBLIC,
        form=Case.Form.STAFF if actor else Case.Form.STANDARD,
        about_user=about_user,
    )
