"""Choosing recipients among hundreds: search, checkboxes, pages, no JavaScript.

Searching and turning pages post the compose form back to itself, so what
was written is kept (and never lands in a URL or a server log).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict

from safecontact.people.models import Person

PAGE_SIZE = 25
# Longest search text; longer input is cut, so the query stays small.
LONGEST_SEARCH = 100


@dataclass(frozen=True)
class Picker:
    search: str
    page: Page[Any]
    chosen: list[Person]  # chosen people who are not on this page
    chosen_codes: frozenset[str]


def matching(people: QuerySet[Person], search: str) -> QuerySet[Person]:
    """People whose first or last name holds every word of ``search``."""
    for word in search.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return people.order_by("last_name", "first_name", "id")


def picker(people: QuerySet[Person], data: QueryDict) -> Picker:
    search = " ".join(data.get("q", "").split())[:LONGEST_SEARCH]
    codes = frozenset(data.getlist("recipients"))
    page = Paginator(matching(people, search), PAGE_SIZE).get_page(data.get("page"))
    shown = {str(p.code) for p in page.object_list}
    valid = [c for c in codes - shown if _is_uuid(c)]
    chosen = list(people.filter(code__in=valid).order_by("last_name", "first_name"))
    return Picker(search, page, chosen, codes)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
