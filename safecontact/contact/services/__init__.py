"""Every write in the contact gateway goes through these functions."""

from safecontact.contact.services.delivery import (
    backoff,
    claim,
    deliver_due,
    retry_delivery,
)
from safecontact.contact.services.inbound import accepted_address, receive_inbound
from safecontact.contact.services.review import (
    handle_alert,
    reject_message,
    release_message,
)
from safecontact.contact.services.sending import send_message

__all__ = [
    "accepted_address",
    "backoff",
    "claim",
    "deliver_due",
    "handle_alert",
    "receive_inbound",
    "reject_message",
    "release_message",
    "retry_delivery",
    "send_message",
]
