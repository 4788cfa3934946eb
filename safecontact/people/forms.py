"""Forms for the register pages. They check input; services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms

from safecontact.groups.models import Group, Platform, Purpose
from safecontact.lib.forms import DAYS, DateInput, TimeInput
from safecontact.lib.forms import apply_errors as apply_errors
from safecontact.lib.hours import window_initial
from safecontact.people.models import (
    Consent,
    Person,
    Training,
    VettingCheck,
    WorkerProfile,
)

ANY_WORKER = ("any_worker", "Any cleared worker")
YES_NO = [("yes", "Yes"), ("no", "No")]


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "kind",
            "date_of_birth",
            "email",
            "phone",
            "preferred_channel",
            "accessibility_needs",
            "large_print",
            "plain_text_email",
            "supporter",
            "external_ref",
        ]
        widgets = {"date_of_birth": DateInput()}
        labels = {
            "kind": "Who they are",
            "external_ref": "Reference in your other system",
            "accessibility_needs": "Accessibility needs",
            "large_print": "Send emails in large print too",
            "plain_text_email": "Send plain-text email only",
            "supporter": "Supporter to copy in",
        }
        help_texts = {
            "date_of_birth": "Needed for children: age decides which rules apply.",
            "external_ref": "Optional. Used so a CSV re-import updates this record.",
            "preferred_channel": "Messages go this way when the consent allows it "
            "and SafeContact can send that way (email or the SafeContact inbox).",
            "plain_text_email": "Wins over large print: no formatted email at all.",
            "supporter": "An adult this person asked to be copied into what they "
            "are sent (never for a child, or in a children's group).",
        }

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supporters = Person.objects.none()
        if organisation is not None:
            supporters = Person.objects.filter(organisation=organisation).exclude(
                kind=Person.Kind.CHILD
            )
            if self.instance.pk:
                supporters = supporters.exclude(pk=self.instance.pk)
        self.fields["supporter"].queryset = supporters  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Person.Kind.CHILD and not data.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter the child's date of birth.")
        return data

    def validate_unique(self) -> None:
        # The service checks uniqueness within the organisation.
        pass


class SearchForm(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Who", required=False, choices=[("", "Everyone"), *Person.Kind.choices]
    )
    status = forms.ChoiceField(
        label="Worker status",
        required=False,
        choices=[
            ("", "Any"),
            ("cleared", "Cleared to contact"),
            ("not_cleared", "Not cleared"),
            ("left", "Left"),
        ],
    )


class WorkerProfileForm(forms.ModelForm):
    class Meta:
        model = WorkerProfile
        fields = [
            "employment",
            "role_title",
            "works_with",
            "start_date",
            "end_date",
            "named_supervisor",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        labels = {
            "employment": "Staff or volunteer",
            "end_date": "Left on",
            "named_supervisor": "Named supervisor for one-to-one contact with "
            "adults at risk",
        }
        help_texts = {
            "end_date": "Leave empty while they are still working with you. "
            "Once this date is today or past, their login is switched off and "
            "they are taken out of every group.",
            "named_supervisor": "They are copied into one-to-one messages "
            "to adults at risk.",
        }


class VettingCheckForm(forms.ModelForm):
    class Meta:
        model = VettingCheck
        fields = [
            "level",
            "workforce",
            "certificate_date",
            "certificate_number",
            "update_service",
            "renewal_due",
        ]
        widgets = {"certificate_date": DateInput(), "renewal_due": DateInput()}
        labels = {
            "level": "DBS level",
            "workforce": "Workforce on the certificate",
            "certificate_date": "Certificate date (date of issue)",
            "update_service": "Subscribed to the DBS Update Service",
        }
        help_texts = {
            "certificate_number": "The 12-digit number on the certificate.",
            "renewal_due": "Leave empty to use the organisation's renewal period.",
        }


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["level", "completed_on", "expires_on", "provider"]
        widgets = {"completed_on": DateInput(), "expires_on": DateInput()}
        labels = {"completed_on": "Completed on", "expires_on": "Expires on"}
        help_texts = {
            "expires_on": "Leave empty to use the organisation's renewal period."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        done, ends = data.get("completed_on"), data.get("expires_on")
        if done and ends and ends <= done:
            self.add_error("expires_on", "The expiry date must be after completion.")
        return data


class RelationshipForm(forms.Form):
    carer = forms.ModelChoiceField(
        label="Parent or carer", queryset=Person.objects.none()
    )
    relationship = forms.CharField(
        label="Relationship",
        initial="parent",
        max_length=50,
        help_text="For example mother, father, foster carer, grandparent.",
    )
    parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False, initial=True
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(organisation_id=person.organisation_id)
            .exclude(pk=person.pk)
            .exclude(kind=Person.Kind.CHILD)
        )


class ConsentForm(forms.Form):
    given_by = forms.ModelChoiceField(
        label="Given by (parent or carer)",
        queryset=Person.objects.none(),
        required=False,
    )
    capacity = forms.ChoiceField(
        label="Capacity to decide",
        choices=[("", "Choose"), *Consent.Capacity.choices],
        required=False,
    )
    best_interests_by = forms.CharField(
        label="Who supported or made the decision",
        required=False,
        max_length=200,
        help_text="Needed unless the adult decided on their own.",
    )
    channels = forms.MultipleChoiceField(
        label="Ways contact is agreed",
        choices=Person.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.ModelMultipleChoiceField(
        label="Purposes agreed",
        queryset=Purpose.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="What contact may be for. The Safeguarding Lead keeps this list.",
        error_messages={"required": "Choose at least one purpose contact may be for."},
    )
    groups = forms.ModelMultipleChoiceField(
        label="Groups covered",
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    platforms = forms.ModelMultipleChoiceField(
        label="Platforms covered",
        queryset=Platform.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked if the consent does not limit platforms.",
    )
    days = forms.TypedMultipleChoiceField(
        label="Agreed days",
        choices=DAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(label="From", widget=TimeInput(), initial="08:00")
    end = forms.TimeField(label="Until", widget=TimeInput(), initial="21:00")
    allowed_roles = forms.MultipleChoiceField(
        label="Who may make contact",
        choices=[ANY_WORKER],
        required=False,
        help_text="Roles are the workers' role titles, e.g. Youth leader.",
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_workers = forms.ModelMultipleChoiceField(
        label="Named workers",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label="Review or expiry date", widget=DateInput(), required=False
    )
    # Asked as the family page asks it: a consent recorded here replaces the
    # one in force, so leaving photos out would reset the answer.
    photos = forms.ChoiceField(
        label="May photos of them be shared?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether photos of them may be shared."},
    )
    photos_where = forms.CharField(
        label="Where photos may be shared",
        required=False,
        max_length=300,
        help_text="For example: the newsletter, but not social media.",
    )
    accessibility = forms.CharField(
        label="Accessibility of contact", widget=forms.Textarea, required=False
    )
    evidence = forms.ChoiceField(label="Evidence", choices=Consent.Evidence.choices)
    evidence_date = forms.DateField(label="Date of the evidence", widget=DateInput())
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(
        self,
        *args: Any,
        person: Person,
        current: Consent | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        org_id = person.organisation_id
        # The photo answer in force is the starting point ("not asked": none).
        if current is not None and current.photos_allowed is not None:
            self.initial.setdefault("photos", "yes" if current.photos_allowed else "no")
            self.initial.setdefault("photos_where", current.photos_where)
        self.fields["groups"].queryset = Group.objects.filter(  # type: ignore[attr-defined]
            organisation_id=org_id, archived_at=None
        )
        self.fields["purposes"].queryset = Purpose.objects.filter(  # type: ignore[attr-defined]
            organisation_id=org_id, retired_at=None
        )
        self.fields["platforms"].queryset = Platform.objects.filter(  # type: ignore[attr-defined]
            organisation_id=org_id
        )
        self.fields["allowed_workers"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation_id=org_id, worker__isnull=False, worker__end_date=None
        )
        titles = (
            WorkerProfile.objects.filter(person__organisation_id=org_id)
            .exclude(role_title="")
            .values_list("role_title", flat=True)
            .distinct()
            .order_by("role_title")
        )
        self.fields["allowed_roles"].choices = [  # type: ignore[attr-defined]
            ANY_WORKER,
            *((t, t) for t in titles),
        ]
        # The organisation's default agreed hours are the starting point.
        for name, value in window_initial(person.organisation.default_hours).items():
            self.initial.setdefault(name, value)
        if person.kind == Person.Kind.CHILD:
            self.fields["given_by"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
                cares_for__person=person, cares_for__parental_responsibility=True
            )
            for name in ("capacity", "best_interests_by", "accessibility"):
                del self.fields[name]
        else:
            del self.fields["given_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("start") == data.get("end"):
            self.add_error("end", "The end time must differ from the start time.")
        return data

    def service_args(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        start, end = data.pop("start"), data.pop("end")
        data["hours"] = [
            {"day": day, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            for day in data.pop("days")
        ]
        data["purposes"] = list(data["purposes"])
        data["groups"] = list(data["groups"])
        data["platforms"] = list(data["platforms"])
        data["allowed_workers"] = list(data["allowed_workers"])
        allowed = data.pop("photos") == "yes"
        data["photos_allowed"] = allowed
        data["photos_where"] = data["photos_where"] if allowed else ""
        return data


class WithdrawConsentForm(forms.Form):
    withdrawn_by = forms.ModelChoiceField(
        label="Withdrawn by",
        queryset=Person.objects.none(),
        required=False,
        help_text="The parent or carer who withdrew it, if it was not the person.",
    )
    evidence = forms.ChoiceField(label="Evidence", choices=Consent.Evidence.choices)
    evidence_date = forms.DateField(label="Date of the evidence", widget=DateInput())
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_by"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            cares_for__person=person
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Exported from your church-management system, up to 2 MB.",
    )
