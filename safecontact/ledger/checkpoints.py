"""Signed checkpoints of each organisation's contact log, in files outside the database.

One file per organisation, ``<LEDGER_CHECKPOINT_DIR>/<organisation code>.jsonl``,
one signed checkpoint a line, only ever appended to. The signing key
(``LEDGER_CHECKPOINT_KEY``) is not in the database, so someone who can rewrite
the log's tables cannot make a checkpoint that matches their rewrite. See
docs/ledger.md for what this does and does not protect against.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from safeguarding.ledger import (
    Checkpoint,
    LedgerError,
    checkpoint_signed,
    format_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """What an organisation's checkpoint file says, and whether it can be trusted."""

    newest: Checkpoint | None
    count: int
    problem: str = ""

    @property
    def newest_at(self) -> dt.datetime | None:
        if self.newest is None:
            return None
        return dt.datetime.fromisoformat(self.newest.at)


def path_for(organisation_code: str) -> Path:
    return Path(settings.LEDGER_CHECKPOINT_DIR) / f"{organisation_code}.jsonl"


def _key() -> bytes:
    return str(settings.LEDGER_CHECKPOINT_KEY).encode()


def read(organisation_code: str) -> Reading:
    """Every checkpoint in the file is checked; the newest is returned.

    A line that is not a checkpoint signed with our key for this organisation,
    or one that goes backwards, makes the whole file untrustworthy.
    """
    path = path_for(organisation_code)
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return Reading(None, 0)
    newest: Checkpoint | None = None
    count = 0
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            problem = _check_line(line, organisation_code, newest)
            if problem:
                return Reading(
                    newest, count, f"Checkpoint {number} in {path} {problem}"
                )
            newest = parse_checkpoint(line)
            count += 1
    return Reading(newest, count)


def _check_line(line: str, code: str, previous: Checkpoint | None) -> str:
    try:
        checkpoint = parse_checkpoint(line)
    except LedgerError:
        return "is not a checkpoint: the file was altered."
    if not checkpoint_signed(_key(), checkpoint) or checkpoint.organisation != code:
        return "was not signed by SafeContact with this key: the file was altered."
    if previous is not None and checkpoint.last_seq < previous.last_seq:
        return "records fewer entries than the one before it: the file was altered."
    return ""


def append(
    *, organisation_code: str, count: int, last_seq: int, head_hash: str, verified: str
) -> Checkpoint:
    """Sign and append a checkpoint, and log it (a copy that leaves the machine)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    checkpoint = sign_checkpoint(
        _key(),
        Checkpoint(
            organisation=organisation_code,
            count=count,
            last_seq=last_seq,
            head_hash=head_hash,
            at=now,
            verified=verified,
        ),
    )
    path = path_for(organisation_code)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (format_checkpoint(checkpoint) + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    logger.info("Contact log checkpoint %s", format_checkpoint(checkpoint))
    return checkpoint
