from __future__ import annotations

from typing import Any, cast

from django import forms

from safecontact.groups.models import Group


class UploadForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        label="Which group is this chat?",
        to_field_name="code",
        empty_label="Choose a group",
    )
    export = forms.FileField(
        label="The chat export",
        help_text=(
            "In WhatsApp, open the group, choose More, then Export chat, then "
            "Without media. Upload the .txt or .zip file it makes."
        ),
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Group]", self.fields["group"])
        field.queryset = Group.objects.filter(
            organisation=organisation, archived_at__isnull=True
        )
