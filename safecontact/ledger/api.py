from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from safecontact.accounts.models import Organisation
from safecontact.ledger import selectors
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.schemas import EntryFilterIn, EntryOut, VerifyOut
from safecontact.lib.pages import PageNumberPagination

router = Router(tags=["ledger"])


def _organisation(request: HttpRequest, *, lead: bool = False) -> Organisation:
    user: Any = request.auth  # type: ignore[attr-defined]
    if user is None or user.organisation is None:
        raise PermissionDenied("Only members of an organisation can read its log.")
    allowed = user.is_lead if lead else user.is_oversight
    if not allowed:
        raise PermissionDenied("Your role does not allow you to read the contact log.")
    return user.organisation  # type: ignore[no-any-return]


@router.get("/entries", response=list[EntryOut])
@paginate(PageNumberPagination, page_size=50)
def list_entries(
    request: HttpRequest, filters: Query[EntryFilterIn]
) -> QuerySet[LedgerEntry]:
    """Log entries, newest first. Leads, deputies and trustees."""
    return selectors.filter_entries(
        _organisation(request),
        kind=filters.kind,
        subjects=[str(c) for c in (filters.person, filters.group) if c is not None],
        since=filters.since,
        until=filters.until,
    )


@router.get("/verify", response=VerifyOut)
def verify(request: HttpRequest) -> dict[str, Any]:
    """Check the whole chain for tampering. Leads and deputies."""
    status = selectors.verify_chain(_organisation(request, lead=True))
    return {
        "ok": status.ok,
        "checked_count": status.result.checked_count,
        "first_bad_seq": status.result.first_bad_seq,
        "problem": status.result.problem,
        "message": status.describe(),
    }
