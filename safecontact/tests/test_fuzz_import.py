"""Hypothesis against the CSV people import: any file is previewed without a
crash or fails with ImportFileError; importing its good rows saves each one
whole or not at all, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecontact.accounts.models import Organisation, User
from safecontact.people import imports
from safecontact.people.models import Person, Relationship
from safecontact.tests.fuzzing import fuzz

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)
HEADER = [
    "Member ID",
    "First Name",
    "Surname",
    "Type",
    "DOB",
    "Email",
    "Mobile",
    "Parent ID",
]
text = st.text(max_size=12)
odd = st.one_of(
    text,
    st.just("nul\x00here"),
    st.sampled_from(["31/02/2014", "01/01/0001", "9999-12-31", "x" * 101, "Alien"]),
)
plausible = st.tuples(
    st.sampled_from(["P1", "C1", "V1", "A1"]),
    st.sampled_from(["Priya", "Arun", "Ünïcödé"]),
    st.sampled_from(["Shah", ""]),
    st.sampled_from(["Parent", "volunteer", "adult at risk", "adult"]),
    st.sampled_from(["14/05/2013", "2013-05-14", ""]),
    st.sampled_from(["a@example.org", ""]),
    st.sampled_from(["07700 900001", ""]),
    st.just(""),
)


@st.composite
def row(draw: st.DrawFn) -> list[str]:
    """A plausible row with a few of its cells replaced by odd values."""
    cells = list(draw(plausible))
    for index, value in draw(st.lists(st.tuples(st.integers(0, 7), odd), max_size=2)):
        cells[index] = value
    return cells


rows = st.lists(row(), max_size=8)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])


def _csv(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _encode(data: str, encoding: str) -> bytes:
    return data.encode(encoding, errors="replace")


@fuzz(40)
@given(st.binary(max_size=3000))
def test_any_bytes_are_previewed_or_refused_with_a_reason(
    org: Organisation, data: bytes
) -> None:
    try:
        imports.parse_people_csv(data, organisation=org, today=TODAY)
    except imports.ImportFileError as exc:
        assert str(exc)


@fuzz(40)
@given(rows, encodings)
def test_importing_saves_each_good_row_whole_or_not_at_all(
    lead: User, org: Organisation, body: list[list[str]], encoding: str
) -> None:
    data = _encode(_csv(HEADER, body), encoding)
    try:
        parsed = imports.parse_people_csv(data, organisation=org, today=TODAY)
    except imports.ImportFileError:
        return
    before = Person.objects.filter(organisation=org).count()
    links = Relationship.objects.count()
    result = imports.import_people(actor=lead, organisation=org, parsed=parsed)
    assert Person.objects.filter(organisation=org).count() == before + result.created
    assert Relationship.objects.count() == links + result.linked
    assert result.created + result.updated + len(result.failed) == len(parsed.rows)


def test_a_nul_in_a_cell_is_reported_on_its_row_not_saved(
    lead: User, org: Organisation
) -> None:
    data = b"Member ID,First Name,Type\r\nP1,Pri\x00ya,Parent\r\n"
    parsed = imports.parse_people_csv(data, organisation=org, today=TODAY)
    assert parsed.bad[0].errors == ["The first name holds a NUL character; remove it."]
    result = imports.import_people(actor=lead, organisation=org, parsed=parsed)
    assert result.created == 0
    assert not Person.objects.filter(organisation=org).exists()
