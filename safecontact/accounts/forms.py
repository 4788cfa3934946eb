from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.services import (
    SETTINGS_FIELDS,
    queue_password_reset,
    validate_timezone,
)
from safecontact.lib.forms import DAYS, TimeInput
from safecontact.lib.hours import window_initial, windows

SUSPENDED_MESSAGE = (
    "Your organisation's use of SafeContact is suspended, so you cannot sign in. "
    "Ask your Safeguarding Lead, or the people who run SafeContact for you."
)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
            }
        ),
        error_messages={
            "min_length": "The code has 6 digits.",
            "max_length": "The code has 6 digits.",
        },
    )


class SignInCodeForm(forms.Form):
    """At sign-in: the app's 6-digit code, or one of the backup codes."""

    token = forms.CharField(
        label="6-digit code from your authenticator app, or a backup code",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split()).lower()
        if not token:
            raise forms.ValidationError("Enter the code.")
        return token


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email goes through the notifications queue,
    so a mail server that is down delays it and loses nothing."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        queue_password_reset(
            user=context["user"], uidb64=context["uid"], token=context["token"]
        )


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user: User) -> None:  # type: ignore[override]
        super().confirm_login_allowed(user)
        org = getattr(user, "organisation", None)
        if org is not None and org.is_suspended:
            raise forms.ValidationError(SUSPENDED_MESSAGE, code="suspended")


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label="Their role",
        choices=User.Role.choices,
        initial=User.Role.WORKER,
        widget=forms.RadioSelect,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=User.Role.choices)


class OrganisationForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)
    timezone = forms.CharField(
        label="Time zone",
        max_length=64,
        initial="Europe/London",
        help_text="For example Europe/London",
    )
    lead_email = forms.EmailField(label="Email of the first Safeguarding Lead")

    def clean_timezone(self) -> str:
        # Here, so the error summary links the message to the field.
        name: str = self.cleaned_data["timezone"].strip()
        validate_timezone(name)
        return name


HOLD_LEVELS = [
    (1, "Anything worth a look (low and above)"),
    (2, "Something worrying (medium and above)"),
    (3, "Only something serious (high)"),
]


class SettingsForm(forms.ModelForm):
    """The organisation's settings; agreed hours are days and one time range."""

    default_days = forms.TypedMultipleChoiceField(
        label="Default agreed days",
        choices=DAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Used for a child or adult at risk whose consent agrees no hours of "
            "its own. Leave every day unticked to need hours on each consent."
        ),
    )
    default_start = forms.TimeField(
        label="Default agreed hours from", required=False, widget=TimeInput()
    )
    default_end = forms.TimeField(
        label="Default agreed hours until", required=False, widget=TimeInput()
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "email_from",
            "inbox_address",
            "timezone",
            "copy_policy",
            "outside_hours",
            "content_hold_threshold",
            "vetting_renewal_years",
            "training_renewal_years",
            "case_retention_years",
            "conduct_case_retention_years",
            "audit_retention_days",
            "notification_retention_days",
            "consent_renewal_months",
            "consent_notice_days",
        ]
        labels = {
            "name": "Organisation name",
            "email_from": "Address messages are sent from",
            "inbox_address": "Address replies come back to",
            "timezone": "Time zone",
            "copy_policy": "When a worker contacts a child one-to-one, copy in",
            "outside_hours": "A message outside agreed hours is",
            "content_hold_threshold": "Hold a message for review when the scanner finds",
            "vetting_renewal_years": "Renew DBS checks every (years)",
            "training_renewal_years": "Renew safeguarding training every (years)",
            "case_retention_years": "Keep closed concern records for (years)",
            "conduct_case_retention_years": (
                "Keep closed records about a worker's conduct for (years)"
            ),
            "audit_retention_days": "Keep group audits for (days)",
            "notification_retention_days": "Keep notification emails for (days)",
            "consent_renewal_months": "Consent given online lasts (months)",
            "consent_notice_days": "Show consent as ending soon (days before)",
        }
        help_texts = {
            "timezone": "For example Europe/London",
            "case_retention_years": "At least 6. Then the case is deleted, "
            "leaving a note of its reference and dates.",
            "conduct_case_retention_years": "At least 10: allegations about "
            "people in positions of trust are kept longer.",
            "audit_retention_days": "From 30 to 2190. Everything read from the "
            "chat is deleted this many days after the upload.",
            "notification_retention_days": "From 31 to 730. The emails that "
            "tell people something needs them, invitations and password resets "
            "are deleted this many days after they were written, once sent or "
            "failed.",
            "consent_notice_days": "It goes on the attention list, with a button "
            "that asks the family to renew it.",
        }
        widgets = {
            "copy_policy": forms.RadioSelect,
            "outside_hours": forms.RadioSelect,
            "content_hold_threshold": forms.Select(choices=HOLD_LEVELS),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            hours = window_initial(self.instance.default_hours)
            for name in ("days", "start", "end"):
                if name in hours:
                    self.initial[f"default_{name}"] = hours[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days = data.get("default_days")
        start, end = data.get("default_start"), data.get("default_end")
        if self.has_error("default_start") or self.has_error("default_end"):
            return data  # a time that is not one already says so
        if days and not (start and end):
            self.add_error("default_start", "Give the times for the agreed days.")
        elif days and start and end and end <= start:
            self.add_error("default_end", "The end time must be after the start time.")
        elif (start or end) and not days:
            self.add_error("default_days", "Choose the days these hours are for.")
        return data

    def default_hours(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        if not data.get("default_days"):
            return []
        start, end = f"{data['default_start']:%H:%M}", f"{data['default_end']:%H:%M}"
        return windows(data["default_days"], start, end)

    def changes(self) -> dict[str, Any]:
        """The settings this form changes, for ``update_settings``."""
        changes = {
            f: self.cleaned_data[f] for f in self.changed_data if f in SETTINGS_FIELDS
        }
        hours = self.default_hours()
        if hours != self.instance.default_hours:
            changes["default_hours"] = hours
        return changes

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"].strip()
        validate_timezone(name)
        return name

    def clean_vetting_renewal_years(self) -> int:
        return _years(self.cleaned_data["vetting_renewal_years"])

    def clean_training_renewal_years(self) -> int:
        return _years(self.cleaned_data["training_renewal_years"])

    def clean_consent_renewal_months(self) -> int:
        value: int = self.cleaned_data["consent_renewal_months"]
        if not 1 <= value <= 36:
            raise forms.ValidationError("Enter a number of months from 1 to 36.")
        return value

    def clean_consent_notice_days(self) -> int:
        value: int = self.cleaned_data["consent_notice_days"]
        if not 1 <= value <= 180:
            raise forms.ValidationError("Enter a number of days from 1 to 180.")
        return value


def _years(value: int) -> int:
    if not 1 <= value <= 10:
        raise forms.ValidationError("Enter a number of years from 1 to 10.")
    return value


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="What the key is for", max_length=100)
