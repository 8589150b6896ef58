"""Delivery attempts of a notification e-mail: retried with a growing delay, then "not delivered" (failed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="delivery attempts"),
        ),
        migrations.AddField(
            model_name="notification",
            name="last_error",
            field=models.CharField(blank=True, max_length=300, verbose_name="last delivery error"),
        ),
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "To send"),
                    ("sent", "Sent"),
                    ("skipped", "Not sent: no e-mail address"),
                    ("failed", "Not delivered"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
