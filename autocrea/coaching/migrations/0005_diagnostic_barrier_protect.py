# The table Django made for Diagnostic.barriers becomes a named model, so that a barrier code in use is
# PROTECTed from deletion (figures count barriers from it). The table, its columns and its unique
# constraint are unchanged: this migration changes Django's state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0004_collective_series_version"),
        ("reference", "0003_active_flags"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DiagnosticBarrier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "barriercode",
                            models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="reference.barriercode"),
                        ),
                        (
                            "diagnostic",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="coaching.diagnostic"),
                        ),
                    ],
                    options={
                        "db_table": "coaching_diagnostic_barriers",
                        "unique_together": {("diagnostic", "barriercode")},
                    },
                ),
                migrations.AlterField(
                    model_name="diagnostic",
                    name="barriers",
                    field=models.ManyToManyField(
                        blank=True,
                        through="coaching.DiagnosticBarrier",
                        to="reference.barriercode",
                        verbose_name="barriers",
                    ),
                ),
            ],
        ),
    ]
