"""The contact gateway's small organisation and real SMTP server."""

from safecontact.contact.tests.conftest import (  # noqa: F401 - pytest fixtures
    _tuesday_morning,
    family,
    sender,
    smtp,
)
