"""Judge a stored message again at the moment it leaves.

Between being written and leaving, a message can wait for agreed hours, for a
mail server, or for the Lead. Meanwhile consent can be withdrawn, the sender's
DBS check can lapse, the sender can leave, a child can turn 18, an unchecked
adult can join the group. So just before anything leaves (the outbox, the
Lead's release, a reply's copy) the message is rebuilt into the engine's
inputs with today's facts, decided again by the same engine and rules, and
``safeguarding.policy.recheck`` says whether it may still go. Reads happen
before any write transaction; the writes are a few short UPDATEs and the
contact-log entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.contact.models import Delivery, Message, Recipient
from safecontact.contact.services import inputs
from safecontact.contact.services.inbound import reply_request
from safecontact.contact.services.sending import (
    decision_json,
    notify_leads,
    subjects_of,
)
from safecontact.ledger.services import append_entry
from safecontact.notifications import services as notifications
from safecontact.people.models import Person
from safeguarding.policy import Decision, Outcome, decide
from safeguarding.policy import Recipient as PolicyRecipient
from safeguarding.policy.recheck import Recheck, recheck
from safeguarding.policy.replies import decide_reply, seconds_for

RECHECKED = "message.rechecked"


@dataclass(frozen=True, slots=True)
class Checked:
    """A re-check and what it was built from, for words and the record."""

    check: Recheck
    people: dict[str, Person]
    recipients: tuple[PolicyRecipient, ...]


def recheck_message(
    message: Message, *, now: dt.datetime, released: bool = False
) -> Checked | None:
    """Decide ``message`` again as of ``now``; None when it cannot be rebuilt
    (an outbound message without its author's login)."""
    rows = list(message.recipient_rows.select_related("person"))
    reviewed = _reviewed_holds(message, released)
    copied = frozenset(str(r.person.code) for r in rows if r.added_by_rule)
    if message.direction == Message.Direction.INBOUND:
        return _recheck_reply(message, now, rows, reviewed, copied)
    if message.author is None:
        return None
    built = inputs.message_request(
        actor=message.author,
        org=message.organisation,
        to=[r.person for r in rows if not r.added_by_rule],
        group=message.group,
        channel=message.channel,
        purpose=message.purpose,
        now=now,
        urgent_reason=message.urgent_reason,
    )
    decision = decide(built.request, built.rules)
    recs, people, seconds = built.request.recipients, built.people, built.seconds
    sender = built.request.sender
    others = frozenset(a for a in seconds if a != sender.id)
    may_copy = {r.id: frozenset(r.parents) | others for r in recs}
    check = recheck(decision, reviewed=reviewed, copied=copied, may_copy=may_copy)
    return Checked(check, people, recs)


def _recheck_reply(
    message: Message,
    now: dt.datetime,
    rows: list[Recipient],
    reviewed: frozenset[str],
    copied: frozenset[str],
) -> Checked | None:
    if message.sender is None:
        return None
    worker = next((r.person for r in rows if r.role == Recipient.Role.TO), None)
    request, rules, people = reply_request(
        message.organisation, message.sender, worker, now
    )
    decision = decide_reply(request, rules)
    child = request.replier
    may_copy = {child.id: frozenset(child.parents) | set(seconds_for(request, rules))}
    check = recheck(decision, reviewed=reviewed, copied=copied, may_copy=may_copy)
    return Checked(check, people, (child,))


def _reviewed_holds(message: Message, released: bool) -> frozenset[str]:
    """Holds the Lead has looked at: a released message's first holds."""
    if not released and message.reviewed_at is None:
        return frozenset()
    return frozenset(
        str(r["rule_id"]) for r in message.reasons if r.get("effect") == Outcome.HOLD
    )


def may_leave(delivery: Delivery, now: dt.datetime) -> bool:
    """The outbox's one question before it sends ``delivery`` (claimed).

    False when the re-check stopped it (the delivery and message say why)
    or put it back to wait for agreed hours.
    """
    message = delivery.message
    if message.status == Message.Status.STOPPED:
        # Another of its rows (split by accessibility preferences) was stopped
        # first: this one goes nowhere either, and is not logged twice.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.STOPPED, last_error=message.stopped_reason
        )
        return False
    checked = recheck_message(message, now=now)
    if checked is None:
        return True
    check = checked.check
    if check.stopped:
        with transaction.atomic(durable=True):
            stop(delivery.message, checked, delivery=delivery)
        return False
    if check.wait_until is not None:
        _wait(delivery, checked)
        return False
    if _differs(delivery.message, check.decision):
        with transaction.atomic(durable=True):
            _record(delivery.message, checked, delivery=delivery)
    return True


def stop(
    message: Message,
    checked: Checked,
    *,
    delivery: Delivery | None = None,
    actor: User | None = None,
) -> None:
    """Stop ``message`` (and ``delivery``) with the reasons; call in a transaction."""
    words = stopped_words(checked)
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.STOPPED, last_error=words
        )
    message.status, message.stopped_reason = Message.Status.STOPPED, words
    message.recheck = _json(checked)
    message.save(update_fields=["status", "stopped_reason", "recheck"])
    _record(message, checked, delivery=delivery, actor=actor)
    notify_leads(message)
    notifications.message_reviewed(message)


@transaction.atomic(durable=True)
def _wait(delivery: Delivery, checked: Checked) -> None:
    at = checked.check.wait_until
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=at, claimed_at=None
    )
    message = delivery.message
    message.status, message.deliver_at = Message.Status.DEFERRED, at
    message.recheck = _json(checked)
    message.save(update_fields=["status", "deliver_at", "recheck"])
    _record(message, checked, delivery=delivery)


def _record(
    message: Message,
    checked: Checked,
    *,
    delivery: Delivery | None = None,
    actor: User | None = None,
) -> None:
    """The contact-log entry: the new decision next to the first one."""
    check = checked.check
    Message.objects.filter(pk=message.pk).update(recheck=_json(checked))
    append_entry(
        organisation=message.organisation,
        kind=RECHECKED,
        content={
            "message": str(message.code),
            "delivery": str(delivery.code) if delivery else None,
            "before": {
                "outcome": message.decision.get("outcome", ""),
                "rules": _rule_ids(message.reasons),
            },
            "after": {
                "outcome": check.decision.outcome.value,
                "rules": [r.rule_id for r in check.decision.reasons],
            },
            "stopped": check.stopped,
            "stopped_by": [r.rule_id for r in check.reasons] if check.stopped else [],
            "wait_until": check.wait_until,
        },
        subjects=subjects_of(message),
        actor=actor,
    )


def _rule_ids(reasons: list[dict[str, Any]]) -> list[str]:
    return [str(r["rule_id"]) for r in reasons]


def _differs(message: Message, decision: Decision) -> bool:
    before = (message.decision.get("outcome"), set(_rule_ids(message.reasons)))
    return before != (decision.outcome.value, {r.rule_id for r in decision.reasons})


def _json(checked: Checked) -> dict[str, Any]:
    data = decision_json(checked.check.decision, checked.people, [])
    data["checked_at"] = timezone.now().isoformat()
    data["stopped_by"] = [
        {"rule_id": r.rule_id, "message": r.message, "fix": r.fix}
        for r in checked.check.reasons
    ]
    return data


def stopped_words(checked: Checked) -> str:
    """ "Stopped: consent for Sam Example to be contacted was withdrawn on
    3 March 2026." — the reasons in plain words, each once."""
    consents = {r.id: r.consent for r in checked.recipients}
    said: list[str] = []
    told: set[str] = set()
    for r in checked.check.reasons:
        if r.person_id in told:
            continue  # the first reason about someone is the one that matters
        if r.person_id:
            told.add(r.person_id)
        person = checked.people.get(r.person_id or "")
        consent = consents.get(r.person_id or "")
        if r.rule_id == "consent.current" and consent and consent.withdrawn:
            words = (
                f"consent for {person} to be contacted was withdrawn on "
                f"{consent.given_on.day} {consent.given_on:%B %Y}."
            )
        elif person is not None:
            words = f"{person}: {r.message}"
        else:
            words = r.message
        if words not in said:
            said.append(words)
    return "Stopped: " + " ".join(said)
