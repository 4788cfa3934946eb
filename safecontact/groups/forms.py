"""Forms for groups, members and platforms; services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.lib.forms import DAYS, TimeInput
from safecontact.people.models import Person


class GroupForm(forms.ModelForm):
    days = forms.TypedMultipleChoiceField(
        label="Agreed days",
        choices=DAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="When contact in this group may happen.",
    )
    start = forms.TimeField(label="From", widget=TimeInput(), required=False)
    end = forms.TimeField(label="Until", widget=TimeInput(), required=False)

    class Meta:
        model = Group
        fields = [
            "name",
            "purposes",
            "description",
            "audience",
            "age_min",
            "age_max",
            "platform",
            "account",
            "conduct_agreement",
        ]
        labels = {
            "account": "Whose account runs the group on the platform",
            "age_min": "Youngest age",
            "age_max": "Oldest age",
            "conduct_agreement": "Conduct agreement",
        }
        widgets = {"purposes": forms.CheckboxSelectMultiple}
        help_texts = {
            "purposes": "What the group is for. Messages to the group must have "
            "one of these purposes.",
            "description": "Optional: the group in your own words.",
            "conduct_agreement": "What is and is not appropriate in the group.",
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        # Most groups are the organisation's own; an empty answer keeps that.
        self.fields["account"].required = False
        # Purposes in use, and any retired one the group still has.
        had = (
            self.instance.purposes.all() if self.instance.pk else Purpose.objects.none()
        )
        self.fields["purposes"].queryset = Purpose.objects.filter(  # type: ignore[attr-defined]
            Q(retired_at=None) | Q(pk__in=had.values("pk")),
            organisation=organisation,
        )
        self.fields["purposes"].error_messages["required"] = (
            "Choose what the group is for: contact needs a clear purpose."
        )
        hours = self.instance.hours if self.instance.pk else []
        if hours and not self.is_bound:
            self.initial["days"] = [w["day"] for w in hours]
            self.initial["start"], self.initial["end"] = (
                hours[0]["start"],
                hours[0]["end"],
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days, start, end = data.get("days"), data.get("start"), data.get("end")
        if days and not (start and end):
            self.add_error("start", "Give the times for the agreed days.")
        elif start and start == end:
            self.add_error("end", "The end time must differ from the start time.")
        return data

    def validate_unique(self) -> None:
        pass

    def service_args(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["account"] = data.get("account") or Group.Account.ORGANISATION
        data["purposes"] = list(data["purposes"])
        days, start, end = data.pop("days"), data.pop("start"), data.pop("end")
        data["hours"] = (
            [{"day": d, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"} for d in days]
            if days
            else []
        )
        return data


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=Person.objects.none())
    role = forms.ChoiceField(
        label="Role in the group", choices=GroupMember.Role.choices
    )
    exception_reason = forms.CharField(
        label="Reason for an exception (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only needed to add a child outside the group's age range. "
        "It is kept in the audit trail.",
    )

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = group.members.filter(removed_at=None).values("person_id")
        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation_id=group.organisation_id
        ).exclude(pk__in=current)


class PurposeForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Plain words a parent would recognise, e.g. 'Trips and events'.",
    )
