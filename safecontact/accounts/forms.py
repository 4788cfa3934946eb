from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.services import validate_timezone

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


HOLD_LEVELS = [
    (1, "Anything worth a look (low and above)"),
    (2, "Something worrying (medium and above)"),
    (3, "Only something serious (high)"),
]


class SettingsForm(forms.ModelForm):
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
            "consent_renewal_months": "Consent given online lasts (months)",
            "consent_notice_days": "Show consent as ending soon (days before)",
        }
        help_texts = {
            "timezone": "For example Europe/London",
            "consent_notice_days": "It goes on the attention list, with a button "
            "that asks the family to renew it.",
        }
        widgets = {
            "copy_policy": forms.RadioSelect,
            "outside_hours": forms.RadioSelect,
            "content_hold_threshold": forms.Select(choices=HOLD_LEVELS),
        }

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
