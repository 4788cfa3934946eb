"""Pagination for list pages and the API, with bounded numbers.

Pages take ``?page=N``; out-of-range numbers show the last page. The API takes
``?page=N`` (most lists) or ``?limit=N&offset=M`` (the contact gateway's);
numbers past the bounds below are a 422, never an SQL offset that overflows
the database's 64-bit integers.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from ninja import Field, Schema
from ninja import pagination as ninja_pagination

PAGE_SIZE = 25
# Bounds on what a client may ask for: far above any organisation's register
# or log, far below 2**63.
MAX_PAGE = 1_000_000
MAX_OFFSET = 100_000_000
MAX_PAGE_SIZE = 100
API_PAGE_SIZE = 50


def paginate(
    request: HttpRequest, items: Any, size: int = PAGE_SIZE, *, count: int | None = None
) -> Page[Any]:
    """A page of ``items``; ``count``, when the caller has already counted
    them (the same rows), spares the database a second count."""
    paginator = Paginator(items, size)
    if count is not None:
        paginator.__dict__["count"] = count  # the cached_property's value
    return paginator.get_page(request.GET.get("page"))


class PageNumberPagination(ninja_pagination.PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


class LimitOffsetPagination(ninja_pagination.LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)
