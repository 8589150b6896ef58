"""CorrectionRequest now belongs to the data-rights app (datarights 0001): Django's state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_correction_request"),
        ("datarights", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CorrectionRequest")],
            database_operations=[],
        ),
    ]
