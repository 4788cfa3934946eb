"""Every write in the contact gateway goes through these functions."""

from safecontact.contact.services.delivery import (
    backoff,
    claim,
    deliver_due,
    retry_delivery,
)
from safecontact.contact.services.sending import send_message

__all__ = [
    "backoff",
    "claim",
    "deliver_due",
    "retry_delivery",
    "send_message",
]
