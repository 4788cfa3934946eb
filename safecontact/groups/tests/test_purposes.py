"""The organisation's list of purposes: seeded, added, renamed, retired."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safecontact.accounts.services import create_api_key, create_organisation
from safecontact.audittrail.models import AuditEntry
from safecontact.groups import services
from safecontact.groups.models import Purpose
from safecontact.groups.tests.factories import GroupFactory, PlatformFactory
from safecontact.people.tests.factories import purpose_named

pytestmark = pytest.mark.django_db
PAGE = reverse("groups:purposes")


def test_a_new_organisation_starts_with_the_usual_purposes():
    org = create_organisation(name="St Anne's")
    names = set(Purpose.objects.filter(organisation=org).values_list("name", flat=True))
    assert names == set(services.STARTING_PURPOSES)
    assert services.seed_purposes(organisation=org) == []


def test_the_lead_adds_renames_and_retires_a_purpose_with_an_audit_trail(lead, org):
    purpose = services.add_purpose(
        actor=lead, organisation=org, name="  Choir   trips "
    )
    assert purpose.name == "Choir trips"
    services.rename_purpose(actor=lead, purpose=purpose, name="Choir outings")
    services.retire_purpose(actor=lead, purpose=purpose)
    services.retire_purpose(actor=lead, purpose=purpose, retired=False)
    entries = AuditEntry.objects.filter(object_code=str(purpose.code)).order_by("id")
    assert [e.action for e in entries] == ["create", "update", "update", "update"]
    changes = [(e.before or {}, e.after or {}) for e in entries]
    assert changes[1][0]["name"] == "Choir trips"
    assert changes[1][1]["name"] == "Choir outings"
    assert changes[2][1]["retired_at"] is not None


def test_a_name_already_used_is_refused_whatever_its_case(lead, org):
    services.add_purpose(actor=lead, organisation=org, name="Trips and events")
    with pytest.raises(ValidationError) as err:
        services.add_purpose(actor=lead, organisation=org, name="TRIPS AND EVENTS")
    assert err.value.message_dict["name"] == [
        "There is already a purpose called TRIPS AND EVENTS."
    ]


@pytest.mark.parametrize(
    ("name", "field_error"),
    [
        ("   ", "Give the purpose a name."),
        ("Trips\x00", "Use letters, numbers and punctuation only."),
        ("Trips\u200b", "Use letters, numbers and punctuation only."),
        ("x" * 101, "Keep the name under 100 characters."),
    ],
)
def test_a_blank_name_is_refused(lead, org, name, field_error):
    with pytest.raises(ValidationError) as err:
        services.add_purpose(actor=lead, organisation=org, name=name)
    assert err.value.message_dict["name"] == [field_error]


def test_a_worker_cannot_change_the_list(worker, org):
    purpose = purpose_named(org)
    with pytest.raises(PermissionDenied):
        services.add_purpose(actor=worker, organisation=org, name="Anything")
    with pytest.raises(PermissionDenied):
        services.retire_purpose(actor=worker, purpose=purpose)


def test_retiring_keeps_the_purpose_on_its_groups_and_stops_new_use(lead, org):
    used = purpose_named(org, "Old club")
    group = GroupFactory.create(organisation=org, purposes=[used])
    services.retire_purpose(actor=lead, purpose=used)
    assert list(group.purposes.all()) == [used]
    services.update_group(actor=lead, group=group, purposes=[used], name="Renamed")
    with pytest.raises(ValidationError) as err:
        services.create_group(
            actor=lead,
            organisation=org,
            name="New",
            purposes=[used],
            audience="children",
            platform=PlatformFactory.create(organisation=org),
        )
    assert "retired" in err.value.message_dict["purposes"][0]


def test_a_group_cannot_have_another_organisations_purpose(lead, org, other_org):
    with pytest.raises(PermissionDenied):
        services.create_group(
            actor=lead,
            organisation=org,
            name="G",
            purposes=[purpose_named(other_org)],
            audience="children",
            platform=PlatformFactory.create(organisation=org),
        )


def test_the_purposes_page_adds_renames_and_retires(client_for, lead, org):
    client = client_for(lead)
    added = client.post(PAGE, {"name": "Bible study"})
    assert added.status_code == HTTPStatus.FOUND
    purpose = Purpose.objects.get(organisation=org, name="Bible study")
    renamed = client.post(
        reverse("groups:purpose_rename", args=[purpose.code]), {"name": "Bible club"}
    )
    assert renamed.status_code == HTTPStatus.FOUND
    retired = client.post(
        reverse("groups:purpose_retire", args=[purpose.code]), {"retired": "yes"}
    )
    assert retired.status_code == HTTPStatus.FOUND
    html = client.get(PAGE).content.decode()
    assert "Bible club" in html and "Retired on" in html
    assert "Bring back Bible club" in html


def test_the_purposes_page_explains_a_refused_name(client_for, lead, org):
    purpose_named(org, "Mentoring")
    response = client_for(lead).post(PAGE, {"name": "mentoring"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "There is already a purpose called mentoring." in response.content.decode()


def test_only_leads_open_the_purposes_page(client_for, worker, trustee, client):
    assert client_for(worker).get(PAGE).status_code == HTTPStatus.FORBIDDEN
    assert client_for(trustee).get(PAGE).status_code == HTTPStatus.FORBIDDEN
    assert client.get(PAGE).status_code == HTTPStatus.FOUND


def test_another_organisations_purpose_is_404(client_for, lead, other_org):
    theirs = purpose_named(other_org)
    response = client_for(lead).post(
        reverse("groups:purpose_retire", args=[theirs.code]), {"retired": "yes"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.retired_at is None


def test_retire_needs_post(client_for, lead, org):
    url = reverse("groups:purpose_retire", args=[purpose_named(org).code])
    assert client_for(lead).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def _api(client, user, method, path, data=None):
    _, raw = create_api_key(actor=user, name="t")
    return getattr(client, method)(
        f"/api/v1/groups/purposes{path}",
        data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_the_api_lists_purposes_in_use_for_anyone_and_changes_them_for_leads(
    client, lead, worker, org, other_org
):
    kept, gone = purpose_named(org, "Kept"), purpose_named(org, "Gone")
    purpose_named(other_org, "Theirs")
    services.retire_purpose(actor=lead, purpose=gone)
    listed = _api(client, worker, "get", "").json()["items"]
    assert [p["name"] for p in listed] == ["Kept"]
    assert _api(client, worker, "post", "", {"name": "X"}).status_code == 403
    made = _api(client, lead, "post", "", {"name": "Choir"})
    assert made.status_code == HTTPStatus.CREATED
    changed = _api(
        client, lead, "patch", f"/{kept.code}", {"name": "Kept on", "retired": True}
    )
    assert changed.json() == {
        "code": str(kept.code),
        "name": "Kept on",
        "retired": True,
    }
    dup = _api(client, lead, "post", "", {"name": "choir"})
    assert dup.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    theirs = Purpose.objects.get(name="Theirs")
    assert _api(client, lead, "patch", f"/{theirs.code}", {}).status_code == 404


def test_a_name_taken_at_the_same_moment_is_a_plain_error(lead, org):
    """The database's unique name (ignoring case) is the last word."""
    purpose = Purpose(organisation=org, name="Trips")
    Purpose.objects.create(organisation=org, name="TRIPS")
    with (
        pytest.raises(ValidationError) as err,
        services._name_not_taken_meanwhile(purpose),
    ):
        purpose.save()

    assert err.value.message_dict["name"] == [
        "There is already a purpose called Trips."
    ]


def test_the_api_refuses_a_name_with_a_nul_character(client, lead, org):
    response = _api(client, lead, "post", "", {"name": "Trips\u0000"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
