"""A version on a series of collective sessions: the series edit form is refused when the series changed meanwhile."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0003_activity_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="collectiveseries",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
