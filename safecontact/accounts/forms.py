from __future__ import annotations

from django import forms


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


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="What the key is for", max_length=100)
