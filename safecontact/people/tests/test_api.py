"""The people API: role limits as on the pages, other organisations are 404."""

from http import HTTPStatus

import pytest

from safecontact.accounts.services import create_api_key
from safecontact.audittrail.models import AuditEntry
from safecontact.groups.tests.factories import (
    GroupFactory,
    GroupMemberFactory,
    PlatformFactory,
)
from safecontact.people.models import Consent, Person
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    RelationshipFactory,
    WorkerFactory,
    purpose_named,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/people"


@pytest.fixture
def child(org):
    child = ChildFactory.create(organisation=org, first_name="Kit")
    link = RelationshipFactory.create(person=child)
    ConsentFactory.create(subject=child, given_by=link.carer)
    return child


def person_urls(code):
    return [f"{API}/{code}", f"{API}/{code}/vetting", f"{API}/{code}/consent"]


def test_anonymous_requests_are_refused(client, child):
    for url in [f"{API}/", f"{API}/workers", *person_urls(child.code)]:
        response = client.get(url)
        assert response.status_code == HTTPStatus.UNAUTHORIZED, url
        assert "error" in response.json()


def test_another_organisations_person_is_not_found(client_for, lead, other_org):
    stranger = ChildFactory.create(organisation=other_org)
    client = client_for(lead)
    for url in person_urls(stranger.code):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    response = client.post(
        f"{API}/{stranger.code}/consent/withdraw",
        {"evidence": "email", "evidence_date": "2026-01-05"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_api_key_reads_the_register_as_its_user(client, lead, child):
    _, raw = create_api_key(actor=lead, name="test")
    response = client.get(f"{API}/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == HTTPStatus.OK
    [item] = [i for i in response.json()["items"] if i["first_name"] == "Kit"]
    assert item["date_of_birth"] == str(child.date_of_birth)


def test_a_worker_lists_names_and_kinds_only(client_for, worker, org, child):
    me = WorkerFactory.create(organisation=org, user=worker)
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=me)
    GroupMemberFactory.create(group=group, person=child)
    ChildFactory.create(organisation=org, first_name="Outsider")
    items = client_for(worker).get(f"{API}/").json()["items"]
    assert {i["first_name"] for i in items} == {me.first_name, "Kit"}
    assert all(i["email"] is None and i["date_of_birth"] is None for i in items)


def test_a_worker_cannot_read_vetting_consent_or_clearance(
    client_for, worker, org, child
):
    me = WorkerFactory.create(organisation=org, user=worker)
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=me)
    GroupMemberFactory.create(group=group, person=child)
    client = client_for(worker)
    for url in (
        f"{API}/workers",
        f"{API}/{child.code}/consent",
        f"{API}/{me.code}/vetting",
    ):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN, url
    detail = client.get(f"{API}/{child.code}").json()
    assert detail["email"] is None and detail["first_name"] == "Kit"


def test_workers_come_with_clearance_and_reasons(client_for, granted_trustee, org):
    WorkerFactory.create(organisation=org, vetting="expired")
    [item] = client_for(granted_trustee).get(f"{API}/workers").json()["items"]
    assert item["clearance"]["children"] is False
    assert any("due for renewal" in r for r in item["clearance"]["reasons"])


def test_a_trustee_reads_but_cannot_write(client_for, granted_trustee, child):
    client = client_for(granted_trustee)
    assert client.get(f"{API}/{child.code}/consent").status_code == HTTPStatus.OK
    response = client.post(
        f"{API}/{child.code}/consent/withdraw",
        {"evidence": "email", "evidence_date": "2026-01-05"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = client.post(
        f"{API}/", {"first_name": "X", "kind": "child"}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_withdrawing_through_the_api_keeps_the_history(client_for, lead, child):
    client = client_for(lead)
    response = client.post(
        f"{API}/{child.code}/consent/withdraw",
        {"evidence": "email", "evidence_date": "2026-01-05"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    history = client.get(f"{API}/{child.code}/consent").json()["items"]
    assert [c["status"] for c in history] == ["withdrawn", "given"]
    assert history[0]["supersedes"] == history[1]["code"]


def test_recording_consent_through_the_api(client_for, lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    response = client_for(lead).post(
        f"{API}/{link.person.code}/consent",
        {
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "channels": ["email"],
            "purposes": [str(purpose_named(org).code)],
            "hours": [{"day": 2, "start": "18:00", "end": "20:00"}],
            "given_by": str(link.carer.code),
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert Consent.objects.get(subject=link.person).hours[0]["day"] == 2
    assert response.json()["purposes"] == [str(purpose_named(org).code)]
    assert response.json()["state"] == "current"


def test_consent_naming_another_organisations_purpose_is_refused(
    client_for, lead, org, other_org
):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    response = client_for(lead).post(
        f"{API}/{link.person.code}/consent",
        {
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "channels": ["email"],
            "purposes": [str(purpose_named(other_org).code)],
            "given_by": str(link.carer.code),
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Consent.objects.filter(subject=link.person).exists()


def test_bad_consent_is_refused_with_reasons(client_for, lead, child):
    response = client_for(lead).post(
        f"{API}/{child.code}/consent",
        {"evidence": "form", "evidence_date": "2026-01-05", "channels": []},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "channels" in response.json()["details"]


def test_consent_naming_another_organisations_parent_is_refused(
    client_for, lead, child, other_org
):
    stranger = ChildFactory.create(organisation=other_org)
    response = client_for(lead).post(
        f"{API}/{child.code}/consent",
        {
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "channels": ["email"],
            "given_by": str(stranger.code),
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_the_lead_creates_and_updates_a_person(client_for, lead):
    client = client_for(lead)
    created = client.post(
        f"{API}/",
        {"first_name": "Ann", "kind": "parent", "email": "ann@example.org"},
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.CREATED
    code = created.json()["code"]
    changed = client.patch(
        f"{API}/{code}", {"last_name": "Lee"}, content_type="application/json"
    )
    assert changed.json()["last_name"] == "Lee" and changed.json()["email"]


def test_a_bad_kind_is_refused(client_for, lead):
    response = client_for(lead).post(
        f"{API}/",
        {"first_name": "Ann", "kind": "alien"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_the_wrong_method_is_refused(client_for, lead, child):
    response = client_for(lead).delete(f"{API}/{child.code}")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_lead_records_a_vetting_check(client_for, lead, org):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    response = client_for(lead).post(
        f"{API}/{person.code}/vetting",
        {"level": "enhanced", "certificate_date": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert (
        client_for(lead).get(f"{API}/{person.code}/vetting").json()[0]["level"]
        == "enhanced"
    )


def test_the_openapi_schema_lists_the_register(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/people/{code}/consent" in paths


# --- Accessibility preferences and consent platforms --------------------------------


def test_oversight_reads_accessibility_preferences_and_workers_do_not(
    client_for, lead, worker, org, child
):
    helper = ParentFactory.create(organisation=org, first_name="Sam")
    adult = AdultAtRiskFactory.create(
        organisation=org, large_print=True, plain_text_email=False, supporter=helper
    )
    body = client_for(lead).get(f"{API}/{adult.code}").json()
    assert (body["large_print"], body["plain_text_email"]) == (True, False)
    assert body["supporter"] == str(helper.code)
    listed = client_for(lead).get(f"{API}/?kind=adult_at_risk").json()["items"]
    assert listed[0]["supporter"] == str(helper.code)
    me = WorkerFactory.create(organisation=org, user=worker)
    group = GroupFactory.create(organisation=org, audience="adults_at_risk")
    GroupMemberFactory.create(group=group, person=me)
    GroupMemberFactory.create(group=group, person=adult)
    client = client_for(worker)
    seen = client.get(f"{API}/{adult.code}").json()
    assert seen["large_print"] is None and seen["supporter"] is None
    items = client.get(f"{API}/").json()["items"]
    assert all(i["supporter"] is None and i["large_print"] is None for i in items)


def test_the_lead_writes_preferences_and_a_supporter(client_for, lead, org):
    helper = ParentFactory.create(organisation=org)
    client = client_for(lead)
    created = client.post(
        f"{API}/",
        {
            "first_name": "Ada",
            "kind": "adult_at_risk",
            "large_print": True,
            "supporter": str(helper.code),
        },
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.CREATED, created.json()
    assert created.json()["large_print"] is True
    assert created.json()["supporter"] == str(helper.code)
    code = created.json()["code"]
    changed = client.patch(
        f"{API}/{code}",
        {"plain_text_email": True, "supporter": None},
        content_type="application/json",
    )
    assert changed.status_code == HTTPStatus.OK, changed.json()
    assert changed.json()["plain_text_email"] is True
    assert changed.json()["supporter"] is None
    adult = Person.objects.get(code=code)
    assert adult.supporter is None and adult.plain_text_email
    entry = AuditEntry.objects.filter(model="people.person", action="update").latest(
        "id"
    )
    assert entry.after is not None and entry.after["plain_text_email"] is True


def test_a_supporter_must_be_an_adult_of_the_same_organisation(
    client_for, lead, org, other_org, child
):
    client = client_for(lead)
    adult = AdultAtRiskFactory.create(organisation=org)
    stranger = ParentFactory.create(organisation=other_org)
    response = client.patch(
        f"{API}/{adult.code}",
        {"supporter": str(stranger.code)},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "supporter" in response.json()["details"]
    response = client.patch(
        f"{API}/{adult.code}",
        {"supporter": str(child.code)},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    adult.refresh_from_db()
    assert adult.supporter is None


def test_workers_and_trustees_cannot_write_preferences(
    client_for, worker, granted_trustee, org
):
    adult = AdultAtRiskFactory.create(organisation=org)
    for user in (worker, granted_trustee):
        response = client_for(user).patch(
            f"{API}/{adult.code}",
            {"large_print": True},
            content_type="application/json",
        )
        assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    adult.refresh_from_db()
    assert not adult.large_print


def test_consent_platforms_are_read_and_written(client_for, lead, org, other_org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    signal = PlatformFactory.create(organisation=org, name="Signal")
    payload = {
        "evidence": "form",
        "evidence_date": "2026-01-05",
        "channels": ["email", "platform"],
        "purposes": [str(purpose_named(org).code)],
        "platforms": [str(signal.code)],
        "given_by": str(link.carer.code),
    }
    client = client_for(lead)
    url = f"{API}/{link.person.code}/consent"
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["platforms"] == [str(signal.code)]
    assert list(Consent.objects.get(subject=link.person).platforms.all()) == [signal]
    [record] = client.get(url).json()["items"]
    assert record["platforms"] == [str(signal.code)]
    elsewhere = PlatformFactory.create(organisation=other_org)
    payload["platforms"] = [str(elsewhere.code)]
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert Consent.objects.filter(subject=link.person).count() == 1


def test_the_openapi_schema_describes_preferences_and_platforms(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert (
        "large-print"
        in schemas["PersonOut"]["properties"]["large_print"]["description"]
    )
    assert (
        "access.supporter_copied"
        in schemas["PersonIn"]["properties"]["supporter"]["description"]
    )
    assert (
        "platform.consented"
        in schemas["ConsentOut"]["properties"]["platforms"]["description"]
    )
    assert (
        "platform.consented"
        in schemas["ConsentIn"]["properties"]["platforms"]["description"]
    )


def test_photo_consent_is_read_and_written_as_on_the_page(
    client_for, lead, worker, granted_trustee, org
):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    url = f"{API}/{link.person.code}/consent"
    payload = {
        "evidence": "form",
        "evidence_date": "2026-01-05",
        "channels": ["email"],
        "purposes": [str(purpose_named(org).code)],
        "given_by": str(link.carer.code),
        "photos_allowed": True,
        "photos_where": "the newsletter",
    }
    response = client_for(lead).post(url, payload, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert (response.json()["photos_allowed"], response.json()["photos_where"]) == (
        True,
        "the newsletter",
    )
    consent = Consent.objects.get(subject=link.person)
    assert (consent.photos_allowed, consent.photos_where) == (True, "the newsletter")
    # Read by the roles that see consent on the person's page; not by workers,
    # and only the Lead and deputy write it.
    [record] = client_for(granted_trustee).get(url).json()["items"]
    assert record["photos_allowed"] is True
    assert client_for(worker).get(url).status_code == HTTPStatus.FORBIDDEN
    response = client_for(granted_trustee).post(
        url, payload, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    # Left out, the answer in force stands: renewing the channels keeps it.
    del payload["photos_allowed"], payload["photos_where"]
    client_for(lead).post(url, payload, content_type="application/json")
    newest = client_for(lead).get(url).json()["items"][0]
    assert (newest["photos_allowed"], newest["photos_where"]) == (
        True,
        "the newsletter",
    )
    # "No" keeps no place; a place without "yes" is refused, saying why.
    refused = client_for(lead).post(
        url,
        {**payload, "photos_allowed": False, "photos_where": "the website"},
        content_type="application/json",
    )
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "photos_where" in str(refused.json())
    # Not asked is null, not "no".
    client_for(lead).post(
        url, {**payload, "photos_allowed": None}, content_type="application/json"
    )
    newest = client_for(lead).get(url).json()["items"][0]
    assert (newest["photos_allowed"], newest["photos_where"]) == (None, "")
    page = client_for(lead).get(link.person.get_absolute_url()).content.decode()
    assert "Photos: not asked" in page
    assert "Photos: may be shared (the newsletter)" in page


def test_the_openapi_schema_describes_photo_consent(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("ConsentIn", "ConsentOut"):
        described = schemas[name]["properties"]["photos_allowed"]["description"]
        assert "photos of the person may be shared" in described
    assert (
        "newsletter"
        in schemas["ConsentIn"]["properties"]["photos_where"]["description"]
    )
