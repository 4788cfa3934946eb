from safecontact.contact.tests.conftest import (  # noqa: F401 - pytest fixtures
    _tuesday_morning,
    family,
    group,
    sender,
)
