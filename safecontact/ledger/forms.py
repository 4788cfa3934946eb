from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import Q

from safecontact.accounts.models import Organisation
from safecontact.groups.models import Group
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import kinds_in_use
from safecontact.people.models import Person


class EntryFilterForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", required=False)
    # A search box, not a drop-down: an organisation can have 50,000 people.
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=200,
        help_text="Part of their name, for example 'Sam' or 'Sam Ch'.",
    )
    # A search box too: a drop-down of a thousand groups was most of the page.
    group = forms.CharField(
        label="Group",
        required=False,
        max_length=200,
        help_text="Part of its name, for example 'Youth'.",
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = set(kinds_in_use(organisation)) | set(LedgerEntry.Kind.values)
        labels = dict(LedgerEntry.Kind.choices)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "Anything")] + [
            (kind, labels.get(kind, kind)) for kind in sorted(kinds)
        ]
        self.organisation = organisation
        # People (or groups) whose names match a search that found more than one.
        self.matches: list[Person] = []
        self.group_matches: list[Group] = []

    def clean_person(self) -> Person | None:
        text = self.cleaned_data["person"].strip()
        if not text:
            return None
        people = Person.objects.filter(organisation=self.organisation)
        if _is_uuid(text):
            found = people.filter(code=text).first()
            if found is None:
                raise forms.ValidationError("Nobody in your register has that code.")
            return found
        for word in text.split()[:MAX_WORDS]:
            people = people.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
        found_people = list(
            people.order_by("first_name", "last_name")[: MAX_MATCHES + 1]
        )
        if not found_people:
            raise forms.ValidationError(f"Nobody in your register matches '{text}'.")
        if len(found_people) > 1:
            self.matches = found_people[:MAX_MATCHES]
            more = " or more" if len(found_people) > MAX_MATCHES else ""
            raise forms.ValidationError(
                f"{len(self.matches)}{more} people match '{text}': choose one below,"
                " or type more of the name."
            )
        return found_people[0]

    def clean_group(self) -> Group | None:
        text = self.cleaned_data["group"].strip()
        if not text:
            return None
        groups = Group.objects.filter(organisation=self.organisation)
        if _is_uuid(text):
            found = groups.filter(code=text).first()
            if found is None:
                raise forms.ValidationError("No group of yours has that code.")
            return found
        exact = groups.filter(name__iexact=text).order_by("pk")[:2]
        if len(exact) == 1:
            return exact[0]
        found_groups = list(
            groups.filter(name__icontains=text).order_by("name", "pk")[
                : MAX_MATCHES + 1
            ]
        )
        if not found_groups:
            raise forms.ValidationError(f"No group of yours matches '{text}'.")
        if len(found_groups) > 1:
            self.group_matches = found_groups[:MAX_MATCHES]
            more = " or more" if len(found_groups) > MAX_MATCHES else ""
            raise forms.ValidationError(
                f"{len(self.group_matches)}{more} groups match '{text}': choose one"
                " below, or type more of the name."
            )
        return found_groups[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data

    def subjects(self) -> list[str]:
        chosen = (self.cleaned_data.get(name) for name in ("person", "group"))
        return [str(item.code) for item in chosen if item is not None]


MAX_WORDS = 5
MAX_MATCHES = 10


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
