import datetime

import pytest
import time_machine

from safecontact.people import selectors
from safecontact.people.models import Consent
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    RelationshipFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_a_worker_from_the_factory_is_cleared_for_children_and_adults(org):
    person = WorkerFactory.create(organisation=org)
    result = selectors.worker_clearance(person, TODAY)
    assert result.children and result.adults, result.reasons


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_an_expired_check_is_not_cleared_and_says_why(org):
    person = WorkerFactory.create(organisation=org, vetting="expired")
    result = selectors.worker_clearance(person, TODAY)
    assert not result.children
    assert any("due for renewal on 09 March 2026" in r for r in result.reasons)


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_missing_checks_and_training_are_reasons(org):
    person = WorkerFactory.create(
        organisation=org, vetting="missing", training="missing"
    )
    reasons = " ".join(selectors.worker_clearance(person, TODAY).reasons)
    assert "No DBS check" in reasons and "training" in reasons


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_a_check_for_the_childrens_workforce_does_not_clear_adults(org):
    person = WorkerFactory.create(organisation=org)
    person.vetting_checks.update(workforce="children")
    result = selectors.worker_clearance(person, TODAY)
    assert result.children and not result.adults


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_active_workers_leaves_out_those_who_left(org):
    stays = WorkerFactory.create(organisation=org)
    WorkerFactory.create(organisation=org, left=True)
    assert list(selectors.active_workers(org, TODAY)) == [stays]


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_current_consent_is_the_newest_record_unless_withdrawn_or_expired(org):
    child = ChildFactory.create(organisation=org)
    first = ConsentFactory.create(subject=child)
    assert selectors.current_consent(child, TODAY) == first
    ConsentFactory.create(
        subject=child, status=Consent.Status.WITHDRAWN, supersedes=first
    )
    assert selectors.current_consent(child, TODAY) is None
    assert len(selectors.consent_history(child)) == 2


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_consent_that_expired_yesterday_is_not_current(org):
    child = ChildFactory.create(organisation=org)
    ConsentFactory.create(subject=child, expires_on=TODAY - datetime.timedelta(days=1))
    assert selectors.current_consent(child, TODAY) is None
    ConsentFactory.create(subject=child, expires_on=TODAY)
    assert selectors.current_consent(child, TODAY) is not None


def test_carers_with_responsibility_leaves_out_other_carers(org):
    child = ChildFactory.create(organisation=org)
    mum = RelationshipFactory.create(person=child).carer
    RelationshipFactory.create(
        person=child,
        carer=ParentFactory.create(organisation=org),
        parental_responsibility=False,
    )
    assert list(selectors.carers_with_responsibility(child)) == [mum]
