from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _checkpoints_in_a_temporary_directory(settings: Any, tmp_path: Path) -> Path:
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.LEDGER_CHECKPOINT_DIR
