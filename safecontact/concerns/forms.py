"""Forms for the public reporting pages and the case file.

The three public forms ask the same questions in different words; the
child-friendly one is split into steps (see ``CHILD_STEPS``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.concerns.images import (
    MAX_BYTES,
    MAX_FILES,
    CleanImage,
    ImageRejected,
    clean_image,
)
from safecontact.concerns.models import Case, Evidence, Referral
from safecontact.concerns.selectors import LEAD_CHOICE, Helper
from safecontact.concerns.services import ConcernReport

ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    """Up to five pictures, each checked and cleaned of metadata."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanImage]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(f"You can send up to {MAX_FILES} pictures at a time.")
        cleaned = []
        for upload in files:
            try:
                cleaned.append(clean_image(upload.name, upload, upload.size))
            except ImageRejected as exc:
                raise ValidationError(str(exc)) from None
        return cleaned


SCREENSHOT_HINT = (
    f"Optional. Up to {MAX_FILES} pictures (PNG, JPEG, WebP or GIF), "
    f"{MAX_BYTES // 1024 // 1024} MB each. We remove hidden details such as "
    "location from them."
)

RELATION_CHOICES = [
    ("child", "I am the child or young person"),
    ("adult_at_risk", "I am the adult it happened to"),
    ("parent", "I am a parent or carer"),
    ("worker", "I work or volunteer here"),
    ("other", "Someone else"),
]

CONTACT_CHOICES = [
    ("contact", "Yes, you can contact me"),
    ("anonymous", "No, I want to stay anonymous"),
]

WORDS: dict[str, dict[str, str]] = {
    "standard": {
        "narrative": "What happened?",
        "narrative_hint": "Say what happened, when, and where online (which app or group). Include usernames if you know them.",
        "about": "Who is the concern about?",
        "about_description": "Their name or a description (optional)",
        "about_helper": "Is it about someone who works or volunteers here?",
        "about_helper_hint": "You can choose who. They will not see your report: a report about the Safeguarding Lead goes to their deputy and a trustee instead.",
        "about_helper_none": "No, or I would rather not say",
        "about_helper_lead": "The Safeguarding Lead",
        "reporter_relation": "Who are you?",
        "anonymous": "Can we contact you about this?",
        "reporter_name": "Your name (optional)",
        "reporter_contact": "Your email address or phone number",
        "screenshots": "Screenshots",
    },
    "easy_read": {
        "narrative": "What happened?",
        "narrative_hint": "Tell us in your own words. You can write a little or a lot.",
        "about": "Who upset you or worried you?",
        "about_description": "Do you know their name? Write it here. You can leave this empty.",
        "about_helper": "Is it someone who helps at this group?",
        "about_helper_hint": "You can choose who. They will not see what you tell us.",
        "about_helper_none": "No, or I do not want to say",
        "about_helper_lead": "The Safeguarding Lead. This is the person who keeps people safe.",
        "reporter_relation": "Who are you?",
        "anonymous": "Can we talk to you about this?",
        "reporter_name": "Your name. You can leave this empty.",
        "reporter_contact": "Your phone number or email",
        "screenshots": "Pictures of the messages",
    },
    "child": {
        "narrative": "What happened?",
        "narrative_hint": "Tell us in your own words. It is OK if you do not know all the details.",
        "about": "Who was it?",
        "about_description": "Do you know their name or username? You can leave this empty.",
        "about_helper": "Was it someone who helps at our group?",
        "about_helper_hint": "You can choose who. They will not see what you tell us.",
        "about_helper_none": "No, or I don't want to say",
        "about_helper_lead": "The Safeguarding Lead (the person who keeps everyone safe)",
        "reporter_relation": "Who are you?",
        "anonymous": "Can we talk to you about it?",
        "reporter_name": "Your first name. You can leave this empty.",
        "reporter_contact": "How can we reach you? A phone number or email.",
        "screenshots": "Pictures of the messages (screenshots)",
    },
}

ABOUT_WORDS = {
    "standard": [
        ("inside", "Someone in our organisation (a worker, volunteer or member)"),
        ("outside", "Someone outside our organisation"),
        ("unsure", "I am not sure"),
    ],
    "easy_read": [
        ("inside", "Someone from this group"),
        ("outside", "Someone else"),
        ("unsure", "I do not know"),
    ],
    "child": [
        ("inside", "Someone from our group or club"),
        ("outside", "Someone else, or someone I met online"),
        ("unsure", "I don't know"),
    ],
}


class PublicReportForm(forms.Form):
    """All the questions; ``style`` picks the words (standard, easy_read, child)."""

    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    # Checked in clean(): naming someone who helps is an answer too.
    about = forms.ChoiceField(
        widget=forms.RadioSelect, choices=Case.About.choices, required=False
    )
    about_description = forms.CharField(required=False, max_length=500)
    # Someone who helps at the organisation, chosen by first name and role.
    about_helper = forms.ChoiceField(
        widget=forms.RadioSelect, choices=[("", "")], required=False
    )
    reporter_relation = forms.ChoiceField(
        widget=forms.RadioSelect, choices=RELATION_CHOICES, required=False
    )
    anonymous = forms.ChoiceField(widget=forms.RadioSelect, choices=CONTACT_CHOICES)
    reporter_name = forms.CharField(required=False, max_length=200)
    reporter_contact = forms.CharField(required=False, max_length=200)
    screenshots = ScreenshotsField(help_text=SCREENSHOT_HINT)
    # Left empty by people; filled in by form-filling robots.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        style: str = "standard",
        helpers: Sequence[Helper] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        words = WORDS[style]
        self.helpers = {h.key: h for h in helpers}
        helper_field = self.fields["about_helper"]
        helper_field.choices = [  # type: ignore[attr-defined]
            ("", words["about_helper_none"]),
            (LEAD_CHOICE, words["about_helper_lead"]),
            *((h.key, h.label) for h in helpers),
        ]
        helper_field.help_text = words["about_helper_hint"]
        helper_field.error_messages["invalid_choice"] = (
            "That person is not on the list any more. Choose again."
        )
        helper_field.initial = ""
        for name, field in self.fields.items():
            if name in words:
                field.label = words[name]
        self.fields["narrative"].help_text = words["narrative_hint"]
        self.fields["about"].choices = ABOUT_WORDS[style]  # type: ignore[attr-defined]
        self.fields["narrative"].error_messages["required"] = "Tell us what happened."
        self.fields["anonymous"].error_messages["required"] = (
            "Choose whether we can contact you."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("about_helper"):
            data["about"] = Case.About.INSIDE  # naming a helper says as much
        elif "about" in self.fields and not data.get("about"):
            self.add_error("about", "Choose who it was.")
        if data.get("anonymous") == "contact" and not data.get("reporter_contact"):
            self.add_error(
                "reporter_contact",
                "Tell us how to reach you, or choose to stay anonymous.",
            )
        return data

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def about_lead(self) -> bool:
        return self.cleaned_data.get("about_helper") == LEAD_CHOICE

    def helper(self) -> Helper | None:
        return self.helpers.get(self.cleaned_data.get("about_helper") or "")

    def to_report(self) -> ConcernReport:
        data = self.cleaned_data
        description = data.get("about_description", "")
        if (helper := self.helper()) is not None:
            description = f"Named on the form: {helper.description}. {description}"
        elif self.about_lead():
            description = f"Named on the form: the Safeguarding Lead. {description}"
        return ConcernReport(
            narrative=data["narrative"],
            about=data["about"],
            about_description=description.strip(),
            anonymous=data["anonymous"] == "anonymous",
            reporter_name=data.get("reporter_name", ""),
            reporter_contact=data.get("reporter_contact", ""),
            reporter_relation=data.get("reporter_relation", ""),
            images=data.get("screenshots") or [],
        )


# The child-friendly form, one question a page: the fields each step shows.
CHILD_STEPS: list[tuple[str, list[str]]] = [
    ("What happened?", ["narrative"]),
    ("Who was it?", ["about", "about_helper", "about_description"]),
    (
        "Can we talk to you about it?",
        ["anonymous", "reporter_name", "reporter_contact"],
    ),
    ("Do you have pictures of the messages?", ["screenshots", "website"]),
]


class StaffReportForm(forms.Form):
    """A worker reporting from inside the app; may name a colleague."""

    narrative = forms.CharField(
        label="What happened?",
        help_text="What you saw or were told, when, and where (which app or group).",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )
    about = forms.ChoiceField(
        label="Who is it about?", widget=forms.RadioSelect, choices=Case.About.choices
    )
    about_user = forms.ModelChoiceField(
        label="If it is about someone with a SafeContact account, choose them",
        help_text="They will never see this concern or be told about it.",
        queryset=User.objects.none(),
        required=False,
    )
    about_description = forms.CharField(
        label="Their name or a description (optional)", required=False, max_length=500
    )
    evidence_kind = forms.CharField(required=False, widget=forms.HiddenInput)
    evidence_ref = forms.CharField(required=False, widget=forms.HiddenInput)
    screenshots = ScreenshotsField(label="Screenshots", help_text=SCREENSHOT_HINT)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about_user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(organisation=actor.organisation_id, is_active=True)
            .exclude(pk=actor.pk)
            .order_by("first_name", "last_name")
        )

    def to_report(self, actor: User) -> ConcernReport:
        data = self.cleaned_data
        evidence = []
        if data.get("evidence_kind") and data.get("evidence_ref"):
            evidence.append((data["evidence_kind"], data["evidence_ref"]))
        return ConcernReport(
            narrative=data["narrative"],
            about=data["about"],
            about_description=data.get("about_description", ""),
            anonymous=False,
            reporter_name=str(actor),
            reporter_contact=actor.email,
            reporter_relation="worker",
            images=data.get("screenshots") or [],
            evidence=evidence,
        )


def _colleagues(case: Case) -> Any:
    return (
        User.objects.filter(organisation=case.organisation_id, is_active=True)
        .exclude(pk=case.about_user_id or 0)
        .order_by("first_name", "last_name")
    )


def _choose(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A blank first option, so nothing is recorded by accident."""
    return [("", "Choose…"), *choices]


class TriageForm(forms.Form):
    category = forms.ChoiceField(choices=_choose(Case.Category.choices))
    risk = forms.ChoiceField(label="Risk level", choices=_choose(Case.Risk.choices))
    about = forms.ChoiceField(label="Who is it about?", choices=Case.About.choices)
    about_user = forms.ModelChoiceField(
        label="Named person with a SafeContact account (optional)",
        help_text="They lose access to this case and are never notified about it.",
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation=case.organisation_id, is_active=True
        ).order_by("first_name", "last_name")


class ChronologyForm(forms.Form):
    text = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    occurred_at = forms.DateTimeField(
        label="When (optional)",
        help_text="Leave empty for now.",
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )


class ActionForm(forms.Form):
    description = forms.CharField(label="Action", max_length=2000)
    owner = forms.ModelChoiceField(label="Who will do it", queryset=User.objects.none())
    due_on = forms.DateField(
        label="Due by", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues(case)  # type: ignore[attr-defined]

    def clean_due_on(self) -> datetime.date:
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise ValidationError("The due date is in the past.")
        return due


class DecisionForm(forms.Form):
    decision = forms.CharField(
        label="Decision", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    rationale = forms.CharField(
        label="Why (your reasons)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(
        label="Referred to", choices=_choose(Referral.Agency.choices)
    )
    made_on = forms.DateField(
        label="Date of referral", widget=forms.DateInput(attrs={"type": "date"})
    )
    reference_number = forms.CharField(
        label="Their reference number (optional)", required=False, max_length=64
    )
    outcome = forms.CharField(
        label="Outcome (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of record", choices=Evidence.Kind.choices)
    ref = forms.UUIDField(
        label="Its code",
        help_text="The code shown on the alert or contact log entry page.",
        error_messages={"invalid": "That is not a record code."},
    )


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(label="Share with", queryset=User.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _colleagues(case)  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=_choose(Case.Outcome.choices))
    note = forms.CharField(
        label="Closing note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label="Why are you deleting this case?",
        help_text="This is kept after the case is gone. Do not write what the case was about.",
        max_length=300,
    )
    confirm = forms.BooleanField(
        label="I understand the case and everything in it will be deleted for good."
    )


class RoutingForm(forms.Form):
    named_trustee = forms.ModelChoiceField(
        label="Named trustee",
        help_text="Receives concerns about the Safeguarding Lead, with the deputy.",
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["named_trustee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, role=User.Role.TRUSTEE, is_active=True
        )
