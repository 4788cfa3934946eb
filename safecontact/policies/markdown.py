"""Policy text is Markdown, rendered safely: raw HTML is shown as text.

markdown-it-py with ``html`` off escapes any tag a writer types, and its link
check refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links, so
a policy can never run script in a reader's browser.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")


def render(text: str) -> SafeString:
    # Safe because html=False: markdown-it escapes every character of input
    # that is not Markdown syntax.
    return mark_safe(_MD.render(text))  # noqa: S308
