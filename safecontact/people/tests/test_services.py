import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safecontact.audittrail.models import AuditEntry
from safecontact.people import selectors, services
from safecontact.people.models import Consent, Person
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    PersonFactory,
    RelationshipFactory,
    WorkerFactory,
    purpose_named,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 5)


def test_creating_a_person_records_an_audit_entry(lead, org):
    person = services.create_person(
        actor=lead, organisation=org, first_name="Ava", last_name="Ng", kind="child"
    )
    entry = AuditEntry.objects.get(object_code=str(person.code))
    assert entry.action == "create" and entry.actor == lead
    assert entry.after is not None and entry.after["first_name"] == "Ava"


def test_updating_a_person_keeps_before_and_after(lead, org):
    person = PersonFactory.create(organisation=org, first_name="Old")
    services.update_person(actor=lead, person=person, first_name="New")
    entry = AuditEntry.objects.get(object_code=str(person.code), action="update")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["first_name"], entry.after["first_name"]) == ("Old", "New")


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_the_lead_or_deputy_can_change_the_register(make_user, org, role):
    with pytest.raises(PermissionDenied):
        services.create_person(
            actor=make_user(role, org), organisation=org, first_name="X", kind="child"
        )


def test_a_lead_cannot_change_another_organisations_register(lead, other_org):
    person = PersonFactory.create(organisation=other_org)
    with pytest.raises(PermissionDenied):
        services.update_person(actor=lead, person=person, first_name="Y")


def test_a_second_person_with_the_same_external_ref_is_refused(lead, org):
    PersonFactory.create(organisation=org, external_ref="CH-1")
    with pytest.raises(ValidationError):
        services.create_person(
            actor=lead,
            organisation=org,
            first_name="Z",
            kind="child",
            external_ref="CH-1",
        )


def test_a_vetting_check_in_the_future_is_refused(lead, org):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    with pytest.raises(ValidationError):
        services.record_vetting_check(
            actor=lead,
            person=person,
            level="enhanced",
            certificate_date=DAY + datetime.timedelta(days=1),
            today=DAY,
        )


def test_recording_a_check_clears_a_worker_who_had_none(lead, org):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    services.record_vetting_check(
        actor=lead,
        person=person,
        level="enhanced_barred",
        certificate_date=datetime.date(2025, 6, 1),
    )
    assert selectors.worker_clearance(person, datetime.date(2026, 1, 5)).children


def test_a_renewal_date_on_the_check_overrides_the_organisations_period(lead, org):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    services.record_vetting_check(
        actor=lead,
        person=person,
        level="enhanced_barred",
        certificate_date=datetime.date(2025, 6, 1),
        renewal_due=datetime.date(2025, 12, 1),
    )
    assert selectors.worker_clearance(person, datetime.date(2025, 12, 1)).children
    assert not selectors.worker_clearance(person, datetime.date(2025, 12, 2)).children


def test_ending_a_role_makes_the_worker_inactive(lead, org):
    person = WorkerFactory.create(organisation=org)
    services.end_worker_role(actor=lead, person=person, end_date=DAY)
    assert not selectors.worker_clearance(
        person, DAY + datetime.timedelta(days=1)
    ).active


def test_training_must_expire_after_completion(lead, org):
    person = WorkerFactory.create(organisation=org)
    with pytest.raises(ValidationError):
        services.record_training(
            actor=lead,
            person=person,
            level="foundation",
            completed_on=DAY,
            expires_on=DAY,
        )


def test_a_child_cannot_be_a_carer(lead, org):
    child, other = ChildFactory.create_batch(2, organisation=org)
    with pytest.raises(ValidationError):
        services.add_relationship(actor=lead, carer=child, person=other)


def org_of(person):
    return person.organisation


def _consent(lead, child, parent, **kw):
    return services.record_consent(
        actor=lead,
        subject=child,
        given_by=parent,
        channels=["email"],
        purposes=[purpose_named(org_of(child))],
        evidence="form",
        evidence_date=DAY,
        **kw,
    )


def test_parental_consent_must_come_from_a_carer_with_responsibility(lead, org):
    child = ChildFactory.create(organisation=org)
    stranger = PersonFactory.create(organisation=org, kind="parent")
    with pytest.raises(ValidationError) as err:
        _consent(lead, child, stranger)
    assert "parental responsibility" in str(err.value)


def test_withdrawal_is_a_new_record_and_the_history_stays(lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    given = _consent(lead, link.person, link.carer)
    withdrawn = services.withdraw_consent(
        actor=lead, subject=link.person, evidence="email", evidence_date=DAY
    )
    given.refresh_from_db()
    assert given.status == Consent.Status.GIVEN and given.channels == ["email"]
    assert withdrawn.supersedes == given
    assert list(selectors.consent_history(link.person)) == [withdrawn, given]
    assert selectors.current_consent(link.person, DAY) is None
    assert AuditEntry.objects.filter(model="people.consent").count() == 2


def test_withdrawing_twice_is_refused(lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    _consent(lead, link.person, link.carer)
    services.withdraw_consent(
        actor=lead, subject=link.person, evidence="email", evidence_date=DAY
    )
    with pytest.raises(ValidationError):
        services.withdraw_consent(
            actor=lead, subject=link.person, evidence="email", evidence_date=DAY
        )


def test_an_adult_at_risk_consents_for_themselves_with_capacity_recorded(lead, org):
    adult = AdultAtRiskFactory.create(organisation=org)
    with pytest.raises(ValidationError):
        services.record_consent(
            actor=lead,
            subject=adult,
            channels=["phone"],
            evidence="verbal",
            evidence_date=DAY,
            capacity="best_interests",
        )
    consent = services.record_consent(
        actor=lead,
        subject=adult,
        channels=["phone"],
        evidence="verbal",
        evidence_date=DAY,
        capacity="best_interests",
        best_interests_by="Dr Patel",
    )
    assert consent.kind == Consent.Kind.ADULT and consent.given_by is None


def test_bad_hours_are_refused_in_plain_words(lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    with pytest.raises(ValidationError) as err:
        _consent(
            lead,
            link.person,
            link.carer,
            hours=[{"day": 1, "start": "25:00", "end": "2"}],
        )
    assert "18:30" in str(err.value)


def test_consent_is_only_for_children_and_adults_at_risk(lead, org):
    with pytest.raises(ValidationError):
        services.record_consent(
            actor=lead,
            subject=PersonFactory.create(organisation=org, kind=Person.Kind.PARENT),
            channels=["email"],
            evidence="form",
            evidence_date=DAY,
        )
