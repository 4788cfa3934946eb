"""Emails in the form their reader asked for: a large-print HTML version next
to the plain text, unless they asked for plain text only (which wins).

SafeContact's emails are plain text. Someone who asks for large print gets
the same text as HTML set in large type as well; someone who asks for plain
text only never gets an HTML part, whatever else is set.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils.html import escape, linebreaks

STYLE = (
    "font-family: Arial, Helvetica, sans-serif; font-size: 24px; "
    "line-height: 1.5; max-width: 38em; color: #0b0c0c; background: #ffffff"
)


def large_print_html(text: str, title: str) -> str:
    """``text`` as a whole HTML document in large type (escaped; links stay
    visible as text, so nothing is hidden behind a word)."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>"
        f'<body style="{STYLE}">{linebreaks(escape(text))}</body></html>'
    )


def wants_large_print(person: Any) -> bool:
    return bool(person.large_print and not person.plain_text_email)


def email_in_format(*, large_print: bool, **kwargs: Any) -> EmailMessage:
    """An ``EmailMessage`` (plain text), with a large-print HTML version when
    ``large_print``; ``kwargs`` are EmailMessage's."""
    if not large_print:
        return EmailMessage(**kwargs)
    email = EmailMultiAlternatives(**kwargs)
    email.attach_alternative(
        large_print_html(kwargs["body"], kwargs.get("subject", "")), "text/html"
    )
    return email
