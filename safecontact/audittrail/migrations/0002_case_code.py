import uuid

from django.db import migrations, models

# Entries written before case_code existed: every record of the concerns app
# except its routing settings belongs to a case. Those whose case is gone are
# given the nil code, so they stay hidden from the general trail.
UNKNOWN_CASE = uuid.UUID(int=0)
NOT_A_CASE = {"concerns.routingsettings", "concerns.reportthrottle"}


def _case_of(entry, case_codes):
    if entry.model == "concerns.case":
        return uuid.UUID(entry.object_code)
    for data in (entry.after, entry.before):
        if isinstance(data, dict) and data.get("case_id") in case_codes:
            return case_codes[data["case_id"]]
    return UNKNOWN_CASE


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("audittrail", "AuditEntry")
    Case = apps.get_model("concerns", "Case")
    case_codes = dict(Case.objects.values_list("pk", "code"))
    rows = AuditEntry.objects.filter(model__startswith="concerns.").exclude(
        model__in=NOT_A_CASE
    )
    batch = []
    for entry in rows.iterator(chunk_size=2000):
        entry.case_code = _case_of(entry, case_codes)
        batch.append(entry)
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_update(batch, ["case_code"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["case_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("audittrail", "0001_initial"),
        ("concerns", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="case_code",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                models.F("organisation"),
                models.F("at").desc(),
                models.F("id").desc(),
                condition=models.Q(case_code__isnull=True),
                name="audit_general_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["case_code", "at"], name="audit_case_history"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
