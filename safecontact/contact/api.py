"""The contact gateway as JSON: check, send, read messages; the Lead's alerts."""

# No `from __future__ import annotations`: ninja reads these annotations at
# runtime, and @paginate hides the module namespace they would resolve in.

from datetime import date
from typing import Any, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from safecontact.accounts.models import User
from safecontact.contact import selectors, services
from safecontact.contact.models import Alert, Message
from safecontact.contact.schemas import (
    AlertFilterIn,
    AlertOut,
    MessageDetailOut,
    MessageIn,
    MessageOut,
    PreviewOut,
)
from safecontact.contact.services import inputs
from safecontact.groups.models import Group, Purpose
from safecontact.lib.dates import org_today
from safecontact.lib.pages import LimitOffsetPagination

router = Router(tags=["contact"])


def _sender(request: HttpRequest) -> User:
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    if user.organisation_id is None or user.role not in selectors.SENDERS:
        raise PermissionDenied("Your role cannot send messages.")
    return user


def _call(user: User, data: MessageIn, *, preview: bool) -> Message:
    """The same people, groups and purposes as the compose page offers; any
    other person or group is a 404 that names nobody. The register is read
    once for these checks and the decision (``inputs.read_for``)."""
    people, purpose = selectors.people_and_purpose(user, data.recipients, data.purpose)
    read = inputs.read_for(user, people)
    today = org_today(user.organisation)
    if not selectors.may_address(user, read, today):
        raise Http404
    group = None
    if data.group is not None:
        group = selectors.contactable_groups(user).filter(code=data.group).first()
        if group is None:
            raise Http404
    return services.send_message(
        actor=user,
        recipients=people,
        group=group,
        channel=data.channel,
        purpose=_purpose(data, purpose, read, group, today),
        subject=data.subject,
        body=data.body,
        urgent_reason=data.urgent_reason,
        preview=preview,
        read=read,
    )


def _purpose(
    data: MessageIn,
    purpose: Purpose | None,
    read: inputs.Read,
    group: Group | None,
    today: date,
) -> Purpose | None:
    """The chosen purpose (``purpose``: the organisation's with the code
    asked for, read with the recipients), if it fits (422 saying which would);
    none given is left to the rules, which block the message and say why."""
    if data.purpose is None:
        return None
    if purpose is None:
        raise ValidationError({"purpose": "The purpose was not found."})
    people = list(read.to)
    if group is None and (not people or selectors.purpose_fits(purpose, read, today)):
        return purpose
    problem = selectors.purpose_problem(
        purpose, group=group, people=people, today=today
    )
    if problem:
        raise ValidationError({"purpose": problem})
    return purpose


@router.post("/messages/preview", response=PreviewOut)
def preview_message(request: HttpRequest, data: MessageIn) -> Any:
    """What would happen: the decision and every reason. Nothing is stored."""
    message = _call(_sender(request), data, preview=True)
    return {"status": message.status, "decision": message.decision}


@router.post("/messages", response={201: MessageOut})
def send(request: HttpRequest, data: MessageIn) -> Any:
    """Check and send. Blocked and held messages are stored too (status says)."""
    # Status, not a (201, ...) tuple: ninja warns about tuples on every call.
    return Status(201, _call(_sender(request), data, preview=False))


@router.get("/messages", response=list[MessageOut])
@paginate(LimitOffsetPagination)
def list_messages(request: HttpRequest) -> Any:
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    return selectors.visible_messages(user).select_related("purpose")


@router.get("/messages/{code}", response=MessageDetailOut)
def get_message(request: HttpRequest, code: UUID) -> Any:
    return selectors.message_for(cast(User, request.auth), code)  # type: ignore[attr-defined]


@router.get("/alerts", response=list[AlertOut])
@paginate(LimitOffsetPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilterIn]) -> Any:
    """The Lead's alert queue (Leads and deputies only)."""
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    if not user.is_lead:
        raise PermissionDenied("Only the Safeguarding Lead or a deputy sees alerts.")
    status = filters.status
    if status and status not in Alert.Status.values:
        raise ValidationError({"status": "Use open, acknowledged or escalated."})
    return selectors.alerts(user.organisation, status)
