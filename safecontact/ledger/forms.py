from __future__ import annotations

from typing import Any, cast

from django import forms

from safecontact.accounts.models import Organisation
from safecontact.groups.models import Group
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import kinds_in_use
from safecontact.people.models import Person


class EntryFilterForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", required=False)
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Anyone",
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Any group",
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
        person = cast("forms.ModelChoiceField[Person]", self.fields["person"])
        group = cast("forms.ModelChoiceField[Group]", self.fields["group"])
        person.queryset = Person.objects.filter(organisation=organisation).order_by(
            "first_name", "last_name"
        )
        group.queryset = Group.objects.filter(organisation=organisation).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data

    def subjects(self) -> list[str]:
        chosen = (self.cleaned_data.get(name) for name in ("person", "group"))
        return [str(item.code) for item in chosen if item is not None]
