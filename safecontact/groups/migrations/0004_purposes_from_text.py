"""Turn free-text purposes into the organisation's list of purposes.

Every organisation gets the starting list; each group's text becomes its
description and a purpose; consents and messages point at the purposes
their text names. Names match ignoring case and extra spaces; a text no
purpose matches becomes a new purpose, so nothing is lost.
"""

from typing import Any

from django.db import migrations

# A copy of groups.services.STARTING_PURPOSES as it was when this was written.
STARTING_PURPOSES = (
    "Group notices and arrangements",
    "Trips and events",
    "Follow-up from a session",
    "Pastoral support",
    "Mentoring",
    "Emergency information",
)


def tidy(text: str) -> str:
    return " ".join(text.split())[:200]


class Vocabulary:
    """One organisation's purposes by lower-case name; missing ones are made."""

    def __init__(self, purpose_model: Any, organisation_id: int) -> None:
        self.model, self.organisation_id = purpose_model, organisation_id
        found = purpose_model.objects.filter(organisation_id=organisation_id)
        self.by_name = {p.name.lower(): p for p in found}

    def get(self, text: str) -> Any:
        name = tidy(text)
        if not name:
            return None
        if name.lower() not in self.by_name:
            self.by_name[name.lower()] = self.model.objects.create(
                organisation_id=self.organisation_id, name=name
            )
        return self.by_name[name.lower()]

    def seed(self) -> None:
        for name in STARTING_PURPOSES:
            self.get(name)


def convert(apps: Any, organisation_id: int) -> None:
    vocabulary = Vocabulary(apps.get_model("groups", "Purpose"), organisation_id)
    vocabulary.seed()
    for group in apps.get_model("groups", "Group").objects.filter(
        organisation_id=organisation_id
    ):
        group.description = group.purpose
        group.save(update_fields=["description"])
        purpose = vocabulary.get(group.purpose)
        if purpose is not None:
            group.purposes.add(purpose)
    for consent in apps.get_model("people", "Consent").objects.filter(
        organisation_id=organisation_id
    ):
        found = [vocabulary.get(str(t)) for t in consent.purpose_text or ()]
        consent.purposes.add(*[p for p in found if p is not None])
    messages = apps.get_model("contact", "Message").objects.filter(
        organisation_id=organisation_id
    )
    texts = messages.exclude(purpose_text="").values_list("purpose_text", flat=True)
    for text in set(texts):
        purpose = vocabulary.get(text)
        messages.filter(purpose_text=text).update(purpose=purpose)


def forwards(apps: Any, schema_editor: Any) -> None:
    for organisation_id in apps.get_model("accounts", "Organisation").objects.values_list(
        "pk", flat=True
    ):
        convert(apps, organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contact", "0003_message_purpose"),
        ("groups", "0003_purposes"),
        ("people", "0003_consent_purposes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
