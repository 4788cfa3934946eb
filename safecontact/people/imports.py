"""Import people from a church-management CSV export.

Two steps: :func:`parse_people_csv` reads and checks every row without
writing anything (the preview), then :func:`import_people` writes the good
rows in one transaction. Bad rows are reported and never imported. Rows are
matched on their id (``external_ref``), so importing the same export again
updates people instead of adding them twice.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from safecontact.accounts.models import Organisation, User
from safecontact.people import services
from safecontact.people.models import Person, Relationship

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Column names seen in church-management exports, normalised (lower case,
# letters and digits only), mapped to our fields.
HEADERS = {
    "external_ref": {
        "id",
        "ref",
        "reference",
        "externalref",
        "externalid",
        "memberid",
        "personid",
        "contactid",
        "recordid",
        "membernumber",
    },
    "first_name": {"firstname", "forename", "forenames", "givenname", "first"},
    "last_name": {"lastname", "surname", "familyname", "last"},
    "kind": {"kind", "type", "persontype", "membertype", "category", "role"},
    "date_of_birth": {"dateofbirth", "dob", "birthdate", "birthday", "born"},
    "email": {"email", "emailaddress", "email1", "primaryemail"},
    "phone": {
        "phone",
        "mobile",
        "telephone",
        "phonenumber",
        "mobilenumber",
        "tel",
        "mobilephone",
        "homephone",
    },
    "parent_ref": {
        "parentref",
        "parentid",
        "parent",
        "guardianref",
        "guardianid",
        "parentexternalref",
        "parentmemberid",
        "carerref",
        "carerid",
    },
    "accessibility_needs": {"accessibility", "accessibilityneeds"},
}
KINDS = {
    Person.Kind.WORKER: {"worker", "volunteer", "staff", "leader", "employee"},
    Person.Kind.CHILD: {"child", "youngperson", "youth", "junior", "minor", "kid"},
    Person.Kind.PARENT: {"parent", "carer", "guardian", "parentcarer", "parentorcarer"},
    Person.Kind.ADULT_AT_RISK: {
        "adultatrisk",
        "vulnerableadult",
        "adultatriskvulnerable",
    },
    Person.Kind.OTHER_ADULT: {"adult", "member", "otheradult", "other", "visitor"},
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass
class Row:
    line: int  # line number in the file, the header being line 1
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    existing: Person | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()


@dataclass
class Parsed:
    rows: list[Row]

    @property
    def good(self) -> list[Row]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    linked: int = 0
    failed: list[Row] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, else Latin-1."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) // 1024} KB; the most we take is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _columns(header: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, name in enumerate(header):
        key = _norm(name)
        for target, variants in HEADERS.items():
            if key in variants and target not in found.values():
                found[index] = target
    missing = {"first_name", "kind", "external_ref"} - set(found.values())
    if missing:
        labels = {"first_name": "first name", "kind": "type", "external_ref": "id"}
        raise ImportFileError(
            "The file has no column for "
            + ", ".join(sorted(labels[m] for m in missing))
            + ". The first line must name the columns, e.g. id, first name, "
            "last name, type, date of birth, email, phone, parent id."
        )
    return found


def _date(text: str, today: datetime.date) -> datetime.date:
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
        if day > today:
            raise ValueError(f"The date of birth {text} is in the future.")
        return day
    raise ValueError(
        f"'{text}' is not a date we can read; use 31/12/2012 or 2012-12-31."
    )


def _check(
    raw: dict[str, str], today: datetime.date
) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    errors: list[str] = []
    for name in (
        "external_ref",
        "first_name",
        "last_name",
        "email",
        "phone",
        "parent_ref",
        "accessibility_needs",
    ):
        if raw.get(name):
            values[name] = raw[name]
    for name, value in raw.items():
        if "\x00" in value:  # a database cannot store it (PostgreSQL refuses)
            column = "id" if name == "external_ref" else name.replace("_", " ")
            errors.append(f"The {column} holds a NUL character; remove it.")
    if not values.get("external_ref"):
        errors.append(
            "The id is empty; each row needs one so a re-import can update it."
        )
    if not values.get("first_name"):
        errors.append("The first name is empty.")
    kind = raw.get("kind", "")
    matched = [k for k, names in KINDS.items() if _norm(kind) in names]
    if not kind:
        errors.append(
            "The type is empty; say child, parent, volunteer, adult at risk or adult."
        )
    elif not matched:
        errors.append(
            f"The type '{kind}' is not one we know; use child, parent, volunteer, adult at risk or adult."
        )
    else:
        values["kind"] = matched[0]
    if raw.get("date_of_birth"):
        try:
            values["date_of_birth"] = _date(raw["date_of_birth"], today)
        except ValueError as exc:
            errors.append(str(exc))
    elif values.get("kind") == Person.Kind.CHILD:
        errors.append("A child needs a date of birth.")
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(f"The email address '{values['email']}' is not valid.")
    if values.get("phone") and not PHONE.match(values["phone"]):
        errors.append(f"The phone number '{values['phone']}' is not valid.")
    for name, limit in (("first_name", 100), ("last_name", 100), ("external_ref", 100)):
        if len(values.get(name, "")) > limit:
            errors.append(
                f"The {name.replace('_', ' ')} is longer than {limit} characters."
            )
    return values, errors


def _read_rows(text: str) -> tuple[dict[int, str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not a CSV file we can read ({exc})."
        ) from None
    columns = _columns(header)
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines are common at the end of exports
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS} people; split it into smaller files."
                )
    except csv.Error as exc:
        raise ImportFileError(
            f"Line {reader.line_num} cannot be read: {exc}."
        ) from None
    return columns, rows


def parse_people_csv(
    data: bytes, *, organisation: Organisation, today: datetime.date
) -> Parsed:
    """Check every row; write nothing. Raises ImportFileError for the whole file."""
    columns, lines = _read_rows(decode(data))
    existing = {
        p.external_ref: p
        for p in Person.objects.filter(organisation=organisation).exclude(
            external_ref=""
        )
    }
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, cells in lines:
        raw = {name: cells[i].strip() for i, name in columns.items() if i < len(cells)}
        values, errors = _check(raw, today)
        ref = values.get("external_ref", "")
        if ref in seen:
            errors.append(f"The id {ref} is also on line {seen[ref]}.")
        elif ref:
            seen[ref] = line
        rows.append(Row(line, values, errors, existing.get(ref)))
    _check_parents(rows, existing)
    return Parsed(rows)


def _check_parents(rows: list[Row], existing: dict[str, Person]) -> None:
    by_ref = {r.values["external_ref"]: r for r in rows if r.values.get("external_ref")}
    for row in rows:
        ref = row.values.get("parent_ref")
        if not ref:
            continue
        parent_row = by_ref.get(ref)
        kind = (
            parent_row.values.get("kind")
            if parent_row
            else getattr(existing.get(ref), "kind", None)
        )
        if parent_row is None and ref not in existing:
            row.errors.append(
                f"The parent id {ref} is not in the file or the register."
            )
        elif parent_row is not None and not parent_row.ok:
            row.errors.append(
                f"The parent on line {parent_row.line} has errors, so the link cannot be made."
            )
        elif kind == Person.Kind.CHILD:
            row.errors.append(f"The parent id {ref} belongs to a child.")
        elif ref == row.values.get("external_ref"):
            row.errors.append("A person cannot be their own parent.")


FIELDS = (
    "first_name",
    "last_name",
    "kind",
    "date_of_birth",
    "email",
    "phone",
    "accessibility_needs",
    "external_ref",
)


def _write_person(
    actor: User, organisation: Organisation, row: Row
) -> tuple[Person, bool]:
    values = {k: v for k, v in row.values.items() if k in FIELDS}
    current = Person.objects.filter(
        organisation=organisation, external_ref=values["external_ref"]
    ).first()
    if current is None:
        return services.create_person(
            actor=actor, organisation=organisation, **values
        ), True
    # Empty cells never erase what the register holds.
    changes = {k: v for k, v in values.items() if getattr(current, k) != v}
    if changes:
        services.update_person(actor=actor, person=current, **changes)
    return current, False


@transaction.atomic
def import_people(
    *,
    actor: User,
    organisation: Organisation,
    parsed: Parsed,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Write the good rows (all or, if the database refuses one, the rest)."""
    services.require_lead(actor, organisation)
    result = Result(failed=list(parsed.bad))
    people: dict[str, Person] = {}
    good = parsed.good
    for done, row in enumerate(good, start=1):
        try:
            with transaction.atomic():
                person, created = _write_person(actor, organisation, row)
        except ValidationError as exc:
            row.errors.extend(exc.messages)
            result.failed.append(row)
            continue
        people[person.external_ref] = person
        result.created += created
        result.updated += not created
        if progress:
            progress(done, len(good))
    result.linked = _link_parents(actor, organisation, good, people)
    return result


def _link_parents(
    actor: User, organisation: Organisation, rows: list[Row], people: dict[str, Person]
) -> int:
    linked = 0
    for row in rows:
        ref, child = (
            row.values.get("parent_ref"),
            people.get(row.values["external_ref"]),
        )
        if not ref or child is None:
            continue
        parent = (
            people.get(ref)
            or Person.objects.filter(
                organisation=organisation, external_ref=ref
            ).first()
        )
        if (
            parent is None
            or Relationship.objects.filter(carer=parent, person=child).exists()
        ):
            continue
        services.add_relationship(actor=actor, carer=parent, person=child)
        linked += 1
    return linked
