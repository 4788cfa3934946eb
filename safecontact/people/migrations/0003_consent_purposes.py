from django.db import migrations, models


class Migration(migrations.Migration):
    """The free-text list is kept as ``purpose_text`` until the purposes
    are matched (groups 0004), then removed (people 0004)."""

    dependencies = [
        ("groups", "0003_purposes"),
        ("people", "0002_vetting_workforce"),
    ]

    operations = [
        migrations.RenameField(
            model_name="consent", old_name="purposes", new_name="purpose_text"
        ),
        migrations.AddField(
            model_name="consent",
            name="purposes",
            field=models.ManyToManyField(
                blank=True, related_name="consents", to="groups.purpose"
            ),
        ),
    ]
