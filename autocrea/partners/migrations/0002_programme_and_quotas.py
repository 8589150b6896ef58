"""The programme's period and targets in the database, and an optional quota per partner.

The data step copies today's settings.PROGRAMME (PROGRAMME_START, PROGRAMME_END, PROGRAMME_TARGET) and
the brief's outcome targets (50 % positive exits, 12 % job creation) into the one Programme row, so
the figures do not change when this migration runs. Quotas start empty.
"""

import datetime
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seed_programme(apps, schema_editor):
    Programme = apps.get_model("partners", "Programme")
    if Programme.objects.exists():
        return
    values = settings.PROGRAMME
    Programme.objects.create(
        start=datetime.date.fromisoformat(str(values["start"])),
        end=datetime.date.fromisoformat(str(values["end"])),
        target_guided=int(str(values["target_guided"])),
        target_positive_rate=Decimal(str(values.get("target_positive_rate") or "50.0")),
        target_job_creation_rate=Decimal(str(values.get("target_job_creation_rate") or "12.0")),
        version=1,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='partner',
            name='quota_guided',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='quota of people guided'),
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.DateField(verbose_name='start of the programme')),
                ('end', models.DateField(verbose_name='end of the programme')),
                ('target_guided', models.PositiveIntegerField(verbose_name='target of people guided')),
                ('target_positive_rate', models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True, verbose_name='target positive-exit rate (%)')),
                ('target_job_creation_rate', models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True, verbose_name='target job-creation rate (%)')),
                ('version', models.PositiveIntegerField(default=1)),
                ('updated_at', models.DateTimeField(blank=True, null=True)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'programme',
                'verbose_name_plural': 'programmes',
                'constraints': [models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='programme_ends_after_start'), models.CheckConstraint(condition=models.Q(('target_guided__gte', 1)), name='programme_target_positive'), models.CheckConstraint(condition=models.Q(('target_positive_rate__isnull', True), models.Q(('target_positive_rate__gte', 0), ('target_positive_rate__lte', 100)), _connector='OR'), name='programme_positive_rate_percent'), models.CheckConstraint(condition=models.Q(('target_job_creation_rate__isnull', True), models.Q(('target_job_creation_rate__gte', 0), ('target_job_creation_rate__lte', 100)), _connector='OR'), name='programme_job_creation_rate_percent')],
            },
        ),
        migrations.RunPython(seed_programme, migrations.RunPython.noop),
    ]
