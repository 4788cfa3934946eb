"""manage.py scan FILE: findings in a WhatsApp export or a text file."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecontact.audits.services import (
    MessageFindings,
    ScanError,
    ScanSummary,
    scan_path,
)
from safeguarding.screening import INDICATORS, Severity, get_indicator


class Command(BaseCommand):
    help = (
        "Scan a WhatsApp chat export (.txt or .zip) or a text file for grooming "
        "indicators, harm between children, self-harm and personal details, and "
        "print each finding with its explanation. Progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export or text file to scan")
        parser.add_argument(
            "--kind",
            choices=["auto", "whatsapp", "text"],
            default="auto",
            help="how to read the file (default: work it out)",
        )
        parser.add_argument(
            "--min-severity",
            choices=[s.label for s in Severity],
            default="low",
            help="leave out findings below this severity (default: low)",
        )
        parser.add_argument(
            "--no-evidence",
            action="store_true",
            help="do not print the text of each finding (counts and explanations only)",
        )
        parser.add_argument(
            "--json", action="store_true", help="one JSON object per line"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        floor = Severity[options["min_severity"].upper()]
        try:
            results, summary = scan_path(
                options["file"], kind=options["kind"], progress=self._progress
            )
            for result in results:
                self._print(result, floor, options)
        except ScanError as error:
            raise CommandError(str(error)) from error
        self.stderr.write("")
        self._print_summary(summary, options["json"])

    def _progress(self, count: int) -> None:
        self.stderr.write(f"\rScanned {count:,} messages…", ending="")
        self.stderr.flush()

    def _print(
        self, result: MessageFindings, floor: Severity, options: dict[str, Any]
    ) -> None:
        message = result.message
        for finding in result.findings:
            if finding.severity < floor:
                continue
            if options["json"]:
                record = {
                    "line": message.line_no,
                    "sender": message.sender,
                    "indicator": finding.indicator,
                    "severity": finding.severity.label,
                    "explanation": finding.explanation,
                    "next_step": finding.next_step,
                }
                if not options["no_evidence"]:
                    record["evidence"] = finding.evidence
                self.stdout.write(json.dumps(record))
                continue
            title = get_indicator(finding.indicator).title
            evidence = "" if options["no_evidence"] else f" “{finding.evidence}”"
            self.stdout.write(
                f"line {message.line_no} · {message.sender} · {finding.severity.label.upper()} "
                f"· {title}:{evidence}\n    {finding.explanation} Next step: {finding.next_step}"
            )
        if result.event is not None:
            event = result.event
            line = (
                f"line {message.line_no} · {event.sender}'s risk rose from "
                f"{event.previous.label} to {event.level.label.upper()}"
            )
            if event.early_warning:
                line += " — EARLY WARNING: tell the Safeguarding Lead"
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "line": message.line_no,
                            "sender": event.sender,
                            "risk": event.level.label,
                            "because": [c.indicator for c in event.reasons],
                        }
                    )
                )
            else:
                because = ", ".join(
                    dict.fromkeys(
                        get_indicator(c.indicator).title
                        for c in event.reasons
                        if c.indicator in INDICATORS
                    )
                )
                self.stdout.write(
                    self.style.WARNING(line)
                    + (f"\n    because of: {because}" if because else "")
                )

    def _print_summary(self, summary: ScanSummary, as_json: bool) -> None:
        highs = sorted(s for s, level in summary.levels.items() if level == "high")
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "summary": {
                            "kind": summary.kind,
                            "messages": summary.messages,
                            "unplaced_lines": summary.unplaced_lines,
                            "findings": dict(summary.by_indicator),
                            "levels": summary.levels,
                        }
                    }
                )
            )
            return
        self.stdout.write(f"\nRead {summary.messages:,} messages as {summary.kind}.")
        if summary.unplaced_lines:
            self.stdout.write(
                f"{summary.unplaced_lines:,} lines could not be placed in a message."
            )
        if not summary.by_indicator:
            self.stdout.write(self.style.SUCCESS("No findings."))
        for indicator, count in summary.by_indicator.most_common():
            self.stdout.write(f"  {count:>6,}  {get_indicator(indicator).title}")
        if highs:
            self.stdout.write(
                self.style.ERROR(
                    f"High risk: {', '.join(highs)}. Tell the Safeguarding Lead now."
                )
            )
