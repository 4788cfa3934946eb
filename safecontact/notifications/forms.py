from django import forms

from safecontact.notifications.models import Preference


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How should we email you about things that can wait a day?",
        choices=Preference.Delivery.choices,
        widget=forms.RadioSelect,
        help_text=(
            "New concerns and urgent messages sent outside agreed hours are "
            "always emailed straight away."
        ),
    )
