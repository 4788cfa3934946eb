from __future__ import annotations

from typing import Any

from django import forms

from safecontact.accounts.models import User
from safecontact.contact.models import Alert, Message
from safecontact.contact.selectors import addressable, purpose_problem
from safecontact.contact.services.sending import validate_header_text
from safecontact.groups.models import Group, Purpose
from safecontact.lib.dates import org_today
from safecontact.people.models import Person


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_kind_display()})"


class ComposeForm(forms.Form):
    recipients = PersonChoice(
        queryset=Person.objects.none(),
        to_field_name="code",
        required=False,
        label="To",
        help_text="Choose people, or choose a group below instead.",
        # Rendered by contact/_picker.html: search, checkboxes and pages.
        widget=forms.CheckboxSelectMultiple,
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="No group",
        help_text="A group email goes to everyone in it, in blind copy.",
    )
    channel = forms.ChoiceField(choices=Message.Channel.choices, initial="email")
    purpose = forms.ModelChoiceField(
        queryset=Purpose.objects.none(),
        to_field_name="code",
        empty_label="Choose a purpose",
        help_text="Why you are getting in touch. It must be one of the group's "
        "purposes, or one the consent of everyone you write to allows.",
        error_messages={"required": "Choose the purpose of this message."},
    )
    subject = forms.CharField(
        max_length=200, required=False, validators=[validate_header_text]
    )
    body = forms.CharField(label="Message", widget=forms.Textarea, max_length=20_000)
    urgent_reason = forms.CharField(
        label="Urgent reason (optional)",
        required=False,
        max_length=500,
        help_text="Only to send outside agreed hours now. The Safeguarding Lead is told.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = user.organisation
        allowed = addressable(user)
        self.fields["recipients"].queryset = allowed.people  # type: ignore[attr-defined]
        self.fields["group"].queryset = allowed.groups  # type: ignore[attr-defined]
        self.fields["purpose"].queryset = Purpose.objects.filter(  # type: ignore[attr-defined]
            organisation=user.organisation, retired_at=None
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        people, group = list(data.get("recipients") or ()), data.get("group")
        if not people and not group:
            raise forms.ValidationError("Choose at least one person or a group.")
        if people and group:
            raise forms.ValidationError("Choose people or a group, not both.")
        if data.get("purpose") is not None:
            problem = purpose_problem(
                data["purpose"],
                group=group,
                people=people,
                today=org_today(self.organisation),
            )
            if problem:
                self.add_error("purpose", problem)
        return data


class ReviewForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Needed when you reject a message: say why.",
    )


class AlertForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Alert.Status.ACKNOWLEDGED, "Acknowledged: no further action"),
            (Alert.Status.ESCALATED, "Escalated: a concern has been raised"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
