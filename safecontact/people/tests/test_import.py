"""CSV import: the preview's row report, good rows only, re-import updates."""

import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from safecontact.people import imports
from safecontact.people.models import Person, Relationship
from safecontact.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)

GOOD = (
    "Member ID,First Name,Surname,Type,DOB,Email,Mobile,Parent ID\r\n"
    "P1,Priya,Shah,Parent,,priya@example.org,07700 900001,\r\n"
    "C1,Arun,Shah,Child,14/05/2013,,,P1\r\n"
    "\r\n"
    "V1,Joe,Bloggs,Volunteer,1980-01-02,joe@example.org,,\r\n"
)
BAD = GOOD + (
    "C2,Mia,,Child,,,,\r\n"
    "C3,,Nobody,Child,01/01/2014,,,\r\n"
    "C4,Tom,Jones,Alien,01/01/2014,,,\r\n"
    "C5,Eve,Stone,Child,31/02/2014,not-an-email,,P9\r\n"
    "C1,Arun,Again,Child,14/05/2013,,,\r\n"
)


def parse(org, text, encoding="utf-8"):
    return imports.parse_people_csv(
        text.encode(encoding), organisation=org, today=TODAY
    )


def test_a_good_file_imports_people_and_links_parents(lead, org):
    result = imports.import_people(
        actor=lead, organisation=org, parsed=parse(org, GOOD)
    )
    assert (result.created, result.updated, result.linked) == (3, 0, 1)
    child = Person.objects.get(external_ref="C1")
    assert child.kind == "child" and child.date_of_birth == datetime.date(2013, 5, 14)
    assert Relationship.objects.get(person=child).carer.external_ref == "P1"


def test_bad_rows_are_reported_by_line_in_plain_words(org):
    parsed = parse(org, BAD)
    report = {row.line: " ".join(row.errors) for row in parsed.bad}
    assert report == {
        6: "A child needs a date of birth.",
        7: "The first name is empty.",
        8: "The type 'Alien' is not one we know; use child, parent, volunteer, adult at risk or adult.",
        9: "'31/02/2014' is not a date we can read; use 31/12/2012 or 2012-12-31. "
        "The email address 'not-an-email' is not valid. "
        "The parent id P9 is not in the file or the register.",
        10: "The id C1 is also on line 3.",
    }


def test_a_file_with_bad_rows_imports_only_the_good_rows(lead, org):
    result = imports.import_people(actor=lead, organisation=org, parsed=parse(org, BAD))
    assert result.created == 3 and len(result.failed) == 5
    refs = set(
        Person.objects.filter(organisation=org).values_list("external_ref", flat=True)
    )
    assert refs == {"P1", "C1", "V1"}
    assert Person.objects.get(external_ref="C1").last_name == "Shah"


def test_importing_again_updates_instead_of_duplicating(lead, org):
    imports.import_people(actor=lead, organisation=org, parsed=parse(org, GOOD))
    again = GOOD.replace("Joe,Bloggs", "Joseph,Bloggs")
    result = imports.import_people(
        actor=lead, organisation=org, parsed=parse(org, again)
    )
    assert (result.created, result.updated, result.linked) == (0, 3, 0)
    assert Person.objects.filter(organisation=org).count() == 3
    assert Person.objects.get(external_ref="V1").first_name == "Joseph"


def test_empty_cells_do_not_erase_the_register(lead, org):
    PersonFactory.create(
        organisation=org, external_ref="V1", kind="worker", phone="0123 456789"
    )
    imports.import_people(actor=lead, organisation=org, parsed=parse(org, GOOD))
    assert Person.objects.get(external_ref="V1").phone == "0123 456789"


def test_the_same_ref_in_another_organisation_is_a_different_person(
    lead, org, other_org
):
    PersonFactory.create(organisation=other_org, external_ref="V1")
    result = imports.import_people(
        actor=lead, organisation=org, parsed=parse(org, GOOD)
    )
    assert result.created == 3


def test_a_byte_order_mark_and_windows_1252_are_read(org):
    text = "\ufeffid,first name,last name,type\r\nA1,Zoë,Brontë,adult\r\n"
    assert parse(org, text).good[0].values["first_name"] == "Zoë"
    latin = "id,first name,last name,type\r\nA1,Zoë,Brontë,adult\r\n"
    assert parse(org, latin, "cp1252").good[0].values["last_name"] == "Brontë"


def test_a_file_without_the_needed_columns_is_refused_whole(org):
    with pytest.raises(
        imports.ImportFileError, match="no column for first name, id, type"
    ):
        parse(org, "name,email\r\nA,a@example.org\r\n")


def test_a_file_too_large_is_refused(org, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(imports.ImportFileError, match="the most we take"):
        parse(org, GOOD * 5)


def test_a_file_with_too_many_rows_is_refused(org, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(imports.ImportFileError, match="more than 2 people"):
        parse(org, GOOD)


def test_the_page_previews_then_imports_on_confirm(client_for, lead, org):
    client = client_for(lead)
    upload = SimpleUploadedFile("people.csv", BAD.encode(), content_type="text/csv")
    preview = client.post(reverse("people:import"), {"file": upload})
    text = preview.content.decode()
    assert preview.status_code == HTTPStatus.OK
    assert "3 rows can be imported" in text and "The first name is empty." in text
    assert not Person.objects.filter(organisation=org).exists()
    done = client.post(reverse("people:import_confirm"))
    assert "3 added" in done.content.decode()
    assert Person.objects.filter(organisation=org).count() == 3


def test_confirming_without_an_upload_asks_for_the_file_again(client_for, lead):
    response = client_for(lead).post(reverse("people:import_confirm"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("people:import")


def test_an_unreadable_file_is_explained_on_the_form(client_for, lead):
    upload = SimpleUploadedFile("x.csv", b"", content_type="text/csv")
    response = client_for(lead).post(reverse("people:import"), {"file": upload})
    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_leads_import(client_for, make_user, org, role):
    client = client_for(make_user(role, org))
    assert client.get(reverse("people:import")).status_code == HTTPStatus.FORBIDDEN
    assert (
        client.post(reverse("people:import_confirm")).status_code
        == HTTPStatus.FORBIDDEN
    )


def test_the_command_is_a_dry_run_unless_told_to_commit(lead, org, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(BAD, encoding="utf-8")
    call_command("import_people", str(path), organisation=org.name)
    assert not Person.objects.filter(organisation=org).exists()
    out = capsys.readouterr().out
    assert "Line 7: The first name is empty." in out and "Dry run" in out
    call_command("import_people", str(path), organisation=org.name, commit=True)
    assert Person.objects.filter(organisation=org).count() == 3
    assert "Imported 3 of 3" in capsys.readouterr().out
