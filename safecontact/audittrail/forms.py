from __future__ import annotations

from typing import Any, cast

from django import forms

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.models import AuditEntry
from safecontact.audittrail.selectors import model_choices


class TrailFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label="Who",
        queryset=User.objects.none(),
        required=False,
        empty_label="Anyone",
    )
    model = forms.ChoiceField(label="Kind of record", required=False)
    action = forms.ChoiceField(
        label="What they did",
        required=False,
        choices=[("", "Anything"), *AuditEntry.Action.choices],
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Accounts, not the register: an organisation has tens, not thousands.
        actor = cast("forms.ModelChoiceField[User]", self.fields["actor"])
        actor.queryset = User.objects.filter(organisation=organisation).order_by(
            "first_name", "last_name", "username"
        )
        model = cast(forms.ChoiceField, self.fields["model"])
        model.choices = [("", "Any"), *model_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data
