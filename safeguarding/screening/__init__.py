"""Risk indicators and personal details in text."""

from safeguarding.screening.findings import Finding, Severity

__all__ = ["Finding", "Severity"]
