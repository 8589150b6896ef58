"""CorrectionRequest moves from the portal app to the data-rights app: Django's state only.

The table stays `portal_correctionrequest` (Meta.db_table) with its rows, indexes and constraint, so
the database is not touched; the content type (and its permissions) is relabelled so nothing goes stale.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old="portal", new="datarights"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="correctionrequest").exists():
        ContentType.objects.filter(app_label=old, model="correctionrequest").update(app_label=new)


def restore_content_type(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="datarights", new="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('jobseekers', '0004_jobseeker_merged_into'),
        ('portal', '0002_correction_request'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CorrectionRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('what_is_wrong', models.TextField(verbose_name='what is wrong')),
                        ('what_it_should_be', models.TextField(verbose_name='what it should be')),
                        ('channel', models.CharField(choices=[('web', 'Online, by the person'), ('counter', 'At the counter'), ('phone', 'By phone'), ('post', 'By post'), ('partner', 'By the partner')], default='web', max_length=10, verbose_name='channel')),
                        ('status', models.CharField(choices=[('open', 'Waiting for an answer'), ('done', 'Corrected'), ('refused', 'Not corrected')], default='open', max_length=10, verbose_name='status')),
                        ('answer', models.TextField(blank=True, verbose_name='answer')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='asked on')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered on')),
                        ('form_token', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('jobseeker', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='correction_requests', to='jobseekers.jobseeker', verbose_name='job seeker')),
                    ],
                    options={
                        'verbose_name': 'correction request',
                        'verbose_name_plural': 'correction requests',
                        'db_table': 'portal_correctionrequest',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['status', 'created_at'], name='correction_status_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('answer', ''), _negated=True), _connector='OR'), name='answered_correction_has_answer')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
