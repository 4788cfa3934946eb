"""Schemathesis against /api/v1/openapi.json: no operation answers with a 500.

Every operation in the OpenAPI document is called with inputs generated from
its schema, valid and not, as a verified Safeguarding Lead using an API key,
so a new endpoint is fuzzed without anyone remembering to add it. Successful
answers must also match their documented schema. (Error statuses are not
listed per operation in the document, so status-code conformance is not
checked; docs/api-errors.md describes them.) Runs in `make test` on SQLite
and on PostgreSQL (`.ci/run`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from safecontact.accounts.models import Organisation, User
from safecontact.concerns.tests.factories import make_case
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    RelationshipFactory,
)
from safecontact.tests.fuzzing import fuzz

pytestmark = pytest.mark.django_db


# Loaded at collection: serving the document reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    # The WSGI handler closes the database connection after each request,
    # which would end the test's transaction; Django's test client does this.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def codes(lead: User, org: Organisation) -> dict[str, str]:
    """Real records for the ``{code}`` in each path, so calls get past the 404."""
    child = ChildFactory.create(organisation=org)
    carer = RelationshipFactory.create(person=child).carer
    ConsentFactory.create(subject=child, given_by=carer)
    member = GroupMemberFactory.create(group__organisation=org, person=child)
    case = make_case(org, actor=lead, narrative="A worry about a message.")
    return {
        "/people/{code}": str(child.code),
        "/groups/{code}": str(member.group.code),
        "/groups/platforms/{code}": str(member.group.platform.code),
        "/groups/members/{code}": str(member.code),
        "/concerns/cases/{code}": str(case.code),
    }


def _real_code(case: Any, codes: dict[str, str]) -> None:
    """Swap a generated UUID for a real record's; leave invalid ones to fail."""
    value = (case.path_parameters or {}).get("code")
    try:
        uuid.UUID(str(value))
    except ValueError:
        return
    path = case.operation.path.removeprefix("/api/v1")
    for prefix, code in codes.items():
        if path.startswith(prefix):
            case.path_parameters["code"] = code


@schema.parametrize()
@fuzz(8)
def test_no_operation_answers_with_a_server_error(
    case: Any, lead_key: str, codes: dict[str, str]
) -> None:
    _real_code(case, codes)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {lead_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
