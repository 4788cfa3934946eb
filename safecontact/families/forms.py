"""The forms on the family pages: asking for a link; consent given online."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.lib.forms import DAYS, TimeInput
from safecontact.people.models import Person

YES_NO = [("yes", "Yes"), ("no", "No")]


class RequestLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="The address the organisation has for you.",
    )


class FamilyConsentForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="How we may contact them",
        choices=[
            (Person.Channel.EMAIL, "Email"),
            (Person.Channel.PLATFORM, "The group's app or website"),
            (Person.Channel.PHONE, "Phone or text"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one way we may make contact."},
    )
    purposes = forms.ModelMultipleChoiceField(
        label="What contact may be about",
        queryset=Purpose.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing contact may be about."},
    )
    groups = forms.ModelMultipleChoiceField(
        label="Groups this covers",
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    platforms = forms.ModelMultipleChoiceField(
        label="Apps and websites contact may use",
        queryset=Platform.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Group messages on any other app or website are stopped.",
        error_messages={
            "required": "Choose at least one app or website contact may use."
        },
    )
    days = forms.TypedMultipleChoiceField(
        label="Days contact may happen",
        choices=DAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    start = forms.TimeField(label="From", widget=TimeInput(), initial="08:00")
    end = forms.TimeField(label="Until", widget=TimeInput(), initial="21:00")
    allowed_workers = forms.ModelMultipleChoiceField(
        label="Only these leaders may make contact",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to allow any checked leader of their groups.",
    )
    photos = forms.ChoiceField(
        label="May photos of them be shared?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    photos_where = forms.CharField(
        label="Where photos may be shared",
        required=False,
        max_length=300,
        help_text="For example: the newsletter, but not social media.",
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_id = person.organisation_id
        groups = Group.objects.filter(
            members__person=person,
            members__removed_at=None,
            archived_at=None,
        ).distinct()
        self.fields["groups"].queryset = groups  # type: ignore[attr-defined]
        # The organisation's approved platforms, and any its groups are on.
        platforms = Platform.objects.filter(
            Q(organisation_id=org_id, approved=True) | Q(groups__in=groups)
        ).distinct()
        self.fields["platforms"].queryset = platforms  # type: ignore[attr-defined]
        if not platforms.exists():
            del self.fields["platforms"]
        self.fields["purposes"].queryset = Purpose.objects.filter(  # type: ignore[attr-defined]
            organisation_id=org_id, retired_at=None
        )
        # Only the leaders of this person's own groups: nobody else's name.
        leaders = GroupMember.objects.filter(
            group__in=groups, role=GroupMember.Role.LEADER, removed_at=None
        ).values("person_id")
        self.fields["allowed_workers"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=leaders
        )
        self.fields["allowed_workers"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: p.first_name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("start") == data.get("end"):
            self.add_error("end", "The end time must be different from the start.")
        return data

    def service_args(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        start, end = data.pop("start"), data.pop("end")
        return {
            "channels": data["channels"],
            "purposes": list(data["purposes"]),
            "groups": list(data["groups"]),
            "platforms": list(data.get("platforms", [])),
            "allowed_workers": list(data["allowed_workers"]),
            "hours": [
                {"day": day, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                for day in data["days"]
            ],
            "photos_allowed": data["photos"] == "yes",
            "photos_where": data["photos_where"] if data["photos"] == "yes" else "",
        }


class EasyReadConsentForm(forms.Form):
    """An adult at risk's own yes or no, with the ways they like."""

    channels = forms.MultipleChoiceField(
        label="How can we contact you?",
        choices=[
            (Person.Channel.EMAIL, "Email"),
            (Person.Channel.PHONE, "Phone or text message"),
            (Person.Channel.PLATFORM, "The group's app"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose one or more ways."},
    )
    purposes = forms.ModelMultipleChoiceField(
        label="What can we contact you about?",
        queryset=Purpose.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose one or more things."},
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].queryset = Purpose.objects.filter(  # type: ignore[attr-defined]
            organisation_id=person.organisation_id, retired_at=None
        )

    def service_args(self) -> dict[str, Any]:
        return {
            "channels": self.cleaned_data["channels"],
            "purposes": list(self.cleaned_data["purposes"]),
        }


class PreferencesForm(forms.Form):
    """An adult at risk's own accessibility preferences (Easy Read)."""

    large_print = forms.BooleanField(label="Big writing in emails", required=False)
    plain_text_email = forms.BooleanField(
        label="Plain emails only: just words, nothing else", required=False
    )
    preferred_channel = forms.ChoiceField(
        label="How do you like to get messages?",
        choices=[
            (Person.Channel.EMAIL, "By email"),
            (Person.Channel.IN_APP, "In my SafeContact inbox"),
            (Person.Channel.PHONE, "By a phone call"),
        ],
        widget=forms.RadioSelect,
    )
    supporter = forms.ModelChoiceField(
        label="Who should get a copy of messages to you?",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nobody",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, choices: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supporter"]
        field.queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in choices]
        )
        field.label_from_instance = lambda p: p.first_name  # type: ignore[attr-defined]
        if not choices:
            del self.fields["supporter"]


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_kind_display()})"


class ChooseForm(forms.Form):
    """Children and adults at risk picked one by one (contact/_picker.html)."""

    recipients = PersonChoice(
        queryset=Person.objects.none(),
        to_field_name="code",
        label="Children and adults at risk",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one person.",
            "invalid_choice": "Choose people from the list.",
            "invalid_pk_value": "Choose people from the list.",
        },
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation,
            kind__in=(Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK),
        )
