"""Forms for the risk assessment pages. They check input; services make the changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from safecontact.accounts.models import User
from safecontact.assessments.models import Hazard, RiskAssessment
from safecontact.assessments.starters import UmbrellaStarter
from safecontact.groups.models import Group
from safecontact.lib.forms import DateInput

SCORES = [
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5"),
]
LIKELIHOOD_HELP = "1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain."
IMPACT_HELP = "1 minor, 2 moderate, 3 serious, 4 major, 5 severe harm."


class AssessmentForm(forms.ModelForm):
    from_template = forms.BooleanField(
        label="Start with the usual hazards and controls for activities like this",
        required=False,
        initial=True,
    )

    class Meta:
        model = RiskAssessment
        fields = ["title", "activity", "group", "description"]
        labels = {
            "title": "Name of the activity",
            "activity": "Kind of activity",
            "group": "The group it runs in (optional)",
            "description": "What happens, when, and who takes part (optional)",
        }
        help_texts = {
            "group": "SafeContact fills in what it knows about the group and tells "
            "you when that changes.",
        }

    umbrella_template = forms.ChoiceField(
        label="Or start from your umbrella body's template",
        required=False,
        help_text="Its hazards and controls replace the usual ones.",
    )

    def __init__(
        self,
        *args: Any,
        organisation: Any,
        umbrella: Iterable[UmbrellaStarter] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = Group.objects.filter(
            organisation=organisation, archived_at=None
        ).order_by("name")
        group.required = False
        choices = [(t.key, f"{t.title} (from {t.umbrella})") for t in umbrella]
        if self.instance.pk:
            del self.fields["from_template"]
        if self.instance.pk or not choices:
            del self.fields["umbrella_template"]
        else:
            field = cast(forms.ChoiceField, self.fields["umbrella_template"])
            field.choices = [("", "None: use the usual hazards"), *choices]


class HazardForm(forms.ModelForm):
    likelihood_before = forms.TypedChoiceField(
        label="Likelihood before controls",
        choices=SCORES,
        coerce=int,
        help_text=LIKELIHOOD_HELP,
    )
    impact_before = forms.TypedChoiceField(
        label="Impact before controls",
        choices=SCORES,
        coerce=int,
        help_text=IMPACT_HELP,
    )
    likelihood_after = forms.TypedChoiceField(
        label="Likelihood with controls in place",
        choices=SCORES,
        coerce=int,
        help_text=LIKELIHOOD_HELP,
    )
    impact_after = forms.TypedChoiceField(
        label="Impact with controls in place",
        choices=SCORES,
        coerce=int,
        help_text=IMPACT_HELP,
    )

    class Meta:
        model = Hazard
        fields = [
            "description",
            "who_harmed",
            "likelihood_before",
            "impact_before",
            "likelihood_after",
            "impact_after",
        ]
        labels = {
            "description": "What could happen",
            "who_harmed": "Who might be harmed",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ControlForm(forms.Form):
    action = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    owner = forms.ModelChoiceField(
        label="Who will do it (optional)", queryset=User.objects.none(), required=False
    )
    due = forms.DateField(label="By when (optional)", required=False, widget=DateInput)

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = User.objects.filter(
            organisation=organisation, is_active=True
        ).order_by("first_name", "last_name")
