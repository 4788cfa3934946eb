"""Forms for the dashboard pages: they check input; services make changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from safecontact.dashboard.models import UmbrellaTemplate, UmbrellaThreshold
from safecontact.dashboard.selectors import Period

MAX_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """A date range from a GET query; both ends are included."""

    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(
                    "The end date must be on or after the start."
                )
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError("Choose a period of three years or less.")
        return data


def period_from(
    request_get: Any, today: dt.date, default_days: int
) -> tuple[PeriodForm, Period]:
    """The form, and the period it names (the default when nothing is given)."""
    default = Period(today - dt.timedelta(days=default_days - 1), today)
    if "start" not in request_get and "end" not in request_get:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
        return form, default
    form = PeriodForm(request_get)
    if form.is_valid():
        return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default


class InviteForm(forms.Form):
    organisation = forms.UUIDField(
        label="The organisation's reference",
        help_text="Its Safeguarding Lead finds this on their Umbrella body page.",
        error_messages={"invalid": "Enter the reference exactly as they gave it."},
    )


class ThresholdForm(forms.Form):
    figure = forms.ChoiceField(label="Figure", choices=UmbrellaThreshold.Figure)
    minimum = forms.IntegerField(label="Tell us below (%)", min_value=0, max_value=100)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = UmbrellaTemplate
        fields = ["kind", "title", "body"]
        labels = {"kind": "What it is", "body": "Text (Markdown)"}
        help_texts = {
            "body": "For a risk assessment, start each hazard with a heading "
            "(## What could happen), then lines such as “Who might be harmed: "
            "children in the group”, “Before: 3 x 5” and “After: 1 x 5” "
            "(likelihood x impact, 1 to 5), and one line per control starting "
            "with a dash. Text before the first heading introduces it."
        }
