"""Forms for the policy pages. They check input; services make the changes."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from safecontact.accounts.models import User
from safecontact.people.forms import DateInput
from safecontact.policies.models import Policy
from safecontact.policies.starters import STARTERS

BLANK = "blank"


class NewPolicyForm(forms.Form):
    starter = forms.ChoiceField(
        label="Start from",
        choices=[(s.slug, f"{s.title}: {s.blurb}") for s in STARTERS]
        + [(BLANK, "A blank page")],
        widget=forms.RadioSelect,
        help_text="Our starting texts are written in plain English; you edit your own copy.",
    )


class PolicySettingsForm(forms.ModelForm):
    review_months = forms.IntegerField(
        label="Review every (months)",
        min_value=1,
        max_value=60,
        help_text="Usually 12. The review date is set each time you publish.",
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "area",
            "audience",
            "owner",
            "review_months",
            "blocks_contact",
        ]
        labels = {
            "title": "Title",
            "area": "What it covers",
            "audience": "Who must read it",
            "owner": "Who keeps it up to date",
            "review_months": "Review every (months)",
            "blocks_contact": "Workers cannot contact anyone until they have acknowledged it",
        }
        help_texts = {
            "blocks_contact": "Only for a code of conduct. Like lapsed training, an "
            "unacknowledged code stops a worker's contact rights.",
            "review_months": "Usually 12. The review date is set each time you publish.",
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation,
            is_active=True,
            role__in=(User.Role.LEAD, User.Role.DEPUTY, User.Role.TRUSTEE),
        ).order_by("first_name", "last_name")
        owner.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("blocks_contact") and data.get("area") != Policy.Area.CONDUCT:
            self.add_error(
                "blocks_contact", "Only a code of conduct can stop contact rights."
            )
        return data


class DraftForm(forms.Form):
    body = forms.CharField(
        label="Policy text",
        widget=forms.Textarea(attrs={"rows": 24}),
        max_length=200_000,
        help_text="Use # for headings, - for bullet points and **bold** for emphasis. "
        "Any HTML is shown as plain text.",
    )
    change_note = forms.CharField(
        label="What changed (optional)", max_length=300, required=False
    )


class PaperAcknowledgementForm(forms.Form):
    person = forms.ChoiceField(label="Who signed it")
    on = forms.DateField(label="Date they signed", widget=DateInput)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = cast(forms.ChoiceField, self.fields["person"])
        person.choices = [("", "Choose a person")] + [
            (str(p.code), str(p)) for p in people
        ]
