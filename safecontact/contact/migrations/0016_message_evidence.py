"""Mark the messages that hold evidence a risk level can rise on.

Messages stored before this are marked for their word-list findings (every
finding in ``decision`` has an ``indicator``); their line-model readings are
not worked out again here, which would mean scanning every message.
"""

from django.db import migrations, models
from django.db.models.functions import Cast


def mark(apps, schema_editor):
    Message = apps.get_model("contact", "Message")
    as_text = Cast("decision", output_field=models.TextField())
    found = Message.objects.annotate(as_text=as_text).filter(
        as_text__contains='"indicator"'
    )
    Message.objects.filter(pk__in=found.values("pk")).update(evidence=True)


class Migration(migrations.Migration):
    dependencies = [("contact", "0015_drop_prefix_indexes")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="evidence",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop, elidable=False),
    ]
