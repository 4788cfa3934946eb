from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from django.db import models
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from safecontact.accounts.models import Organisation
from safecontact.groups.models import Group
from safecontact.ledger import selectors, services
from safecontact.ledger.forms import EntryFilterForm
from safecontact.ledger.models import ChainCheck, LedgerEntry
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    oversight_required,
    request_organisation,
)
from safecontact.lib.pages import paginate
from safecontact.people.models import Person

PER_PAGE = 50
SUBJECT_MODELS: dict[str, type[models.Model]] = {"person": Person, "group": Group}


def _entry_for_user(request: HttpRequest, code: UUID) -> LedgerEntry:
    organisation = request_organisation(request)
    return get_for_org(selectors.entries_for(organisation), organisation, code=code)


def _subject_for_user(request: HttpRequest, kind: str, code: UUID) -> Any:
    model = SUBJECT_MODELS.get(kind)
    if model is None:
        raise Http404
    return get_for_org(
        model._default_manager.all(), request_organisation(request), code=code
    )


def _with_names(
    organisation: Organisation, entries: Iterable[LedgerEntry]
) -> list[tuple[LedgerEntry, list[str]]]:
    """Each entry with the names of the people and groups it concerns."""
    entries = list(entries)
    codes = {code for entry in entries for code in entry.subjects}
    names = selectors.subject_names(organisation, codes)
    unknown = "(not in the register)"
    return [(e, [names.get(c, unknown) for c in e.subjects]) for e in entries]


@require_GET
@oversight_required
def entry_list(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = EntryFilterForm(request.GET or None, organisation=organisation)
    entries = selectors.entries_for(organisation).order_by("-seq")
    if form.is_bound and form.is_valid():
        entries = selectors.filter_entries(
            organisation,
            kind=form.cleaned_data["kind"],
            subjects=form.subjects(),
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
    elif form.is_bound:
        entries = entries.none()
    page = paginate(request, entries, PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _with_names(organisation, page.object_list),
        "query": query.urlencode(),
        "matches": [
            (person, _with(query, person=str(person.code))) for person in form.matches
        ],
        "group_matches": [
            (group, _with(query, group=str(group.code))) for group in form.group_matches
        ],
    }
    return render(request, "ledger/list.html", context)


def _with(query: QueryDict, **values: str) -> str:
    """``query`` with ``values`` set, as a query string."""
    changed = query.copy()
    for key, value in values.items():
        changed[key] = value
    return changed.urlencode()


@require_GET
@oversight_required
def entry_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    entry = _entry_for_user(request, code)
    context = {
        "entry": entry,
        "names": _with_names(entry.organisation, [entry])[0][1],
        "items": selectors.content_items(entry.content),
        "status": selectors.check_around(entry),
    }
    return render(request, "ledger/detail.html", context)


@require_GET
@lead_required
def verify(request: HttpRequest) -> HttpResponse:
    """The newest signed checkpoint, and a check of what was added since it.

    The whole chain is checked by ``manage.py verify_ledger``, not here: on a
    large log it takes longer than a request may.
    """
    organisation = request_organisation(request)
    check = selectors.quick_check(organisation)
    context = {
        "reading": check.reading,
        "pending": check.pending,
        "status": check.status,
        "limit": selectors.REQUEST_CHECK_LIMIT,
        "last": ChainCheck.objects.filter(organisation=organisation).first(),
    }
    return render(request, "ledger/verify.html", context)


@require_POST
@lead_required
def check_start(request: HttpRequest) -> HttpResponse:
    """Check the whole log in the background, then follow it on its own page."""
    check = services.request_chain_check(
        actor=request.user, organisation=request_organisation(request)
    )
    return redirect("ledger:check", code=check.code)


@require_GET
@lead_required
def check_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    organisation = request_organisation(request)
    check = get_for_org(ChainCheck.objects.all(), organisation, code=code)
    return render(request, "ledger/check.html", {"check": check})


@require_GET
@lead_required
def history(request: HttpRequest, kind: str, code: UUID) -> HttpResponse:
    subject = _subject_for_user(request, kind, code)
    services.record_history_export(actor=request.user, subject=subject)
    entries = selectors.history_for(subject.organisation, str(subject.code))
    context = {
        "subject": subject,
        "kind": kind,
        "rows": [
            (entry, names, selectors.content_items(entry.content))
            for entry, names in _with_names(subject.organisation, entries)
        ],
        "printed_at": timezone.now(),
    }
    return render(request, "ledger/history.html", context)


@require_GET
@lead_required  # type: ignore[arg-type]
def history_csv(request: HttpRequest, kind: str, code: UUID) -> StreamingHttpResponse:
    subject = _subject_for_user(request, kind, code)
    services.record_history_export(actor=request.user, subject=subject)
    entries = selectors.history_for(subject.organisation, str(subject.code))
    response = StreamingHttpResponse(
        _csv_rows(entries.iterator(chunk_size=500)), content_type="text/csv"
    )
    filename = f"contact-history-{kind}-{subject.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV_HEADER = [
    "Entry",
    "Recorded at",
    "What happened",
    "By",
    "About (codes)",
    "Details (JSON)",
    "Hash",
    "Previous hash",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    # A leading = + - @ makes spreadsheets run the cell as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(entries: Iterator[LedgerEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries:
        local = timezone.localtime(entry.created_at)
        yield writer.writerow(
            [
                entry.seq,
                local.isoformat(),
                entry.kind,
                _cell(entry.actor_label),
                " ".join(entry.subjects),
                _cell(json.dumps(entry.content, ensure_ascii=False, sort_keys=True)),
                entry.hash,
                entry.prev_hash,
            ]
        )
