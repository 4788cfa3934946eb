from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safecontact.accounts.models import Organisation
from safecontact.audits.tests.exports import EVENING
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def group(org: Organisation) -> Group:
    return GroupFactory.create(
        organisation=org, name="Youth chat", hours=EVENING, platform__minimum_age=13
    )
