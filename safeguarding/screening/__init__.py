"""Risk indicators and personal details in text.

``assess`` is the one pipeline every caller uses (scanner, model, risk);
``scan``/``scan_many`` find indicators in messages; ``ConversationRisk``
turns findings over a conversation into a level with its reasons; the
``INDICATORS`` registry holds the words shown to a Safeguarding Lead.
"""

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.findings import Finding, Severity
from safeguarding.screening.indicators import INDICATORS, Indicator, get_indicator
from safeguarding.screening.pipeline import Assessment, assess
from safeguarding.screening.risk import (
    Contribution,
    ConversationRisk,
    Level,
    RiskEvent,
    Thresholds,
)
from safeguarding.screening.scanner import Scanner, scan, scan_many

__all__ = [
    "INDICATORS",
    "Assessment",
    "Contribution",
    "ConversationRisk",
    "Finding",
    "Indicator",
    "Level",
    "RiskEvent",
    "Scanner",
    "ScreeningError",
    "Severity",
    "Thresholds",
    "assess",
    "get_indicator",
    "scan",
    "scan_many",
]
