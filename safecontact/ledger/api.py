from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from safecontact.accounts.models import Organisation
from safecontact.ledger import selectors
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.schemas import EntryFilterIn, EntryOut, VerifyOut

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
    """Check the entries added since the newest signed checkpoint, and that
    the checkpoint still holds. Leads and deputies. The whole log is checked
    by ``manage.py verify_ledger`` (too long for a request on a large log)."""
    check = selectors.quick_check(_organisation(request, lead=True))
    status = check.status
    if status is None:
        raise HttpError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            f"{check.pending} entries were added since the newest signed checkpoint:"
            f" too many to check in a request (the limit is"
            f" {selectors.REQUEST_CHECK_LIMIT}). Run manage.py checkpoint_ledger"
            " or verify_ledger on the server.",
        )
    return {
        "ok": status.ok,
        "checked_count": status.result.checked_count,
        "first_bad_seq": status.result.first_bad_seq,
        "problem": status.result.problem,
        "message": status.describe(),
    }
