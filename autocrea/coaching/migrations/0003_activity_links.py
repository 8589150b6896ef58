"""Tag individual sessions, collective series and their sessions, and actions of the plan with one of the
partner's own activities (partners.PartnerActivity). Nullable: what was recorded before stays untagged.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0002_collective_sessions"),
        ("partners", "0003_partner_activities"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="activity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="partners.partneractivity",
                verbose_name="activity",
            ),
        ),
        migrations.AddField(
            model_name="collectiveseries",
            name="activity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="collective_series",
                to="partners.partneractivity",
                verbose_name="activity",
            ),
        ),
        migrations.AddField(
            model_name="coachingsession",
            name="activity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="coaching_sessions",
                to="partners.partneractivity",
                verbose_name="activity",
            ),
        ),
    ]
