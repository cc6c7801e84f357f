"""Encounters move out of the participants app into their own: the same tables, renamed nowhere."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ('encounter', 'encountersupply', 'dailyencountertotals', 'dailysupplytotals', 'participantmonth', 'participantfirstmonth', 'participantyear')


def move_content_types(apps, schema_editor):
    """Permissions (back-entry) and admin history follow the models to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="encounters", model__in=MOVED_MODELS).delete()
    content_type.objects.filter(app_label="participants", model__in=MOVED_MODELS).update(
        app_label="encounters"
    )


def move_content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="encounters", model__in=MOVED_MODELS).update(
        app_label="participants"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_collections_and_reversals'),
        ('participants', '0004_merge_0002_participant_anonymised_0003_daily_totals'),
        ('supplies', '0004_stockmovement_training_session'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are, with every row: only Django's idea of which app
        # owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Encounter',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('occurred_at', models.DateTimeField(verbose_name='time')),
                        ('kind', models.CharField(choices=[('fixed_site', 'Fixed site'), ('mobile_unit', 'Mobile unit'), ('street_outreach', 'Street outreach'), ('home_delivery', 'Home delivery'), ('mail', 'Mail')], max_length=20, verbose_name='kind')),
                        ('syringes_collected', models.PositiveIntegerField(default=0, verbose_name='used syringes collected')),
                        ('secondary_distribution_for', models.PositiveIntegerField(default=0, verbose_name='also for how many others')),
                        ('overdose_reversals_reported', models.PositiveSmallIntegerField(default=0, verbose_name='overdose reversals reported')),
                        ('naloxone_refill_reason', models.CharField(blank=True, choices=[('used', 'Used it'), ('lost', 'Lost or taken'), ('given_away', 'Gave it away')], help_text='Empty when no naloxone replaced an earlier kit.', max_length=20, verbose_name='naloxone refill: what happened to the last kit')),
                        ('hiv_test', models.BooleanField(default=False, verbose_name='HIV test')),
                        ('hcv_test', models.BooleanField(default=False, verbose_name='HCV test')),
                        ('wound_care', models.BooleanField(default=False, verbose_name='wound care')),
                        ('naloxone_training', models.BooleanField(default=False, verbose_name='naloxone training')),
                        ('counselling', models.BooleanField(default=False, verbose_name='counselling')),
                        ('note', models.CharField(blank=True, max_length=280, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='saved at')),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='encounters', to='accounts.location', verbose_name='location')),
                        ('participant', models.ForeignKey(blank=True, help_text='Empty for an anonymous encounter.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='encounters', to='participants.participant', verbose_name='participant')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='encounters', to='accounts.program', verbose_name='program')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='encounters', to=settings.AUTH_USER_MODEL, verbose_name='staff')),
                    ],
                    options={
                        'verbose_name': 'encounter',
                        'verbose_name_plural': 'encounters',
                        'db_table': 'participants_encounter',
                        'ordering': ['-occurred_at', '-id'],
                        'permissions': [('backdate_encounter', 'Can record encounters of past days')],
                    },
                ),
                migrations.CreateModel(
                    name='EncounterSupply',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField(verbose_name='quantity')),
                        ('encounter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supplies', to='encounters.encounter')),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='supplies.item')),
                    ],
                    options={
                        'verbose_name': 'supply given',
                        'verbose_name_plural': 'supplies given',
                        'db_table': 'participants_encountersupply',
                    },
                ),
                migrations.CreateModel(
                    name='ParticipantFirstMonth',
                    fields=[
                        ('participant', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='participants.participant')),
                        ('first_month', models.DateField()),
                        ('program', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program')),
                    ],
                    options={
                        'verbose_name': "participant's first month",
                        'verbose_name_plural': "participants' first months",
                        'db_table': 'participants_participantfirstmonth',
                    },
                ),
                migrations.CreateModel(
                    name='ParticipantMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='The first day of the month.')),
                        ('kind', models.CharField(choices=[('fixed_site', 'Fixed site'), ('mobile_unit', 'Mobile unit'), ('street_outreach', 'Street outreach'), ('home_delivery', 'Home delivery'), ('mail', 'Mail')], max_length=20)),
                        ('encounters', models.IntegerField(default=0)),
                        ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.location')),
                        ('participant', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='participants.participant')),
                        ('program', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program')),
                    ],
                    options={
                        'verbose_name': 'participant month',
                        'verbose_name_plural': 'participant months',
                        'db_table': 'participants_participantmonth',
                    },
                ),
                migrations.CreateModel(
                    name='ParticipantYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.DateField(help_text='The first day of the year.')),
                        ('kind', models.CharField(choices=[('fixed_site', 'Fixed site'), ('mobile_unit', 'Mobile unit'), ('street_outreach', 'Street outreach'), ('home_delivery', 'Home delivery'), ('mail', 'Mail')], max_length=20)),
                        ('encounters', models.IntegerField(default=0)),
                        ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.location')),
                        ('participant', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='participants.participant')),
                        ('program', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program')),
                    ],
                    options={
                        'verbose_name': 'participant year',
                        'verbose_name_plural': 'participant years',
                        'db_table': 'participants_participantyear',
                    },
                ),
                migrations.CreateModel(
                    name='DailyEncounterTotals',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('kind', models.CharField(choices=[('fixed_site', 'Fixed site'), ('mobile_unit', 'Mobile unit'), ('street_outreach', 'Street outreach'), ('home_delivery', 'Home delivery'), ('mail', 'Mail')], max_length=20)),
                        ('encounters', models.IntegerField(default=0)),
                        ('anonymous_encounters', models.IntegerField(default=0)),
                        ('syringes_collected', models.BigIntegerField(default=0)),
                        ('reversals_reported', models.IntegerField(default=0)),
                        ('secondary_distribution_for', models.IntegerField(default=0)),
                        ('naloxone_refills', models.IntegerField(default=0)),
                        ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.location')),
                        ('program', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program')),
                    ],
                    options={
                        'verbose_name': 'daily encounter totals',
                        'verbose_name_plural': 'daily encounter totals',
                        'db_table': 'participants_dailyencountertotals',
                        'constraints': [models.UniqueConstraint(fields=('program', 'day', 'location', 'kind'), name='dailyencountertotals_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='DailySupplyTotals',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('kind', models.CharField(choices=[('fixed_site', 'Fixed site'), ('mobile_unit', 'Mobile unit'), ('street_outreach', 'Street outreach'), ('home_delivery', 'Home delivery'), ('mail', 'Mail')], max_length=20)),
                        ('for_others', models.BooleanField(default=False)),
                        ('quantity', models.BigIntegerField(default=0)),
                        ('item', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='supplies.item')),
                        ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.location')),
                        ('program', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program')),
                    ],
                    options={
                        'verbose_name': 'daily supply totals',
                        'verbose_name_plural': 'daily supply totals',
                        'db_table': 'participants_dailysupplytotals',
                        'constraints': [models.UniqueConstraint(fields=('program', 'day', 'location', 'kind', 'item', 'for_others'), name='dailysupplytotals_unique')],
                    },
                ),
                migrations.AddIndex(
                    model_name='encounter',
                    index=models.Index(fields=['program', '-occurred_at'], include=('participant', 'location', 'kind'), name='encounter_program_time'),
                ),
                migrations.AddIndex(
                    model_name='encounter',
                    index=models.Index(fields=['location', '-occurred_at'], name='encounter_location_time'),
                ),
                migrations.AddIndex(
                    model_name='encounter',
                    index=models.Index(fields=['staff', '-occurred_at'], name='encounter_staff_time'),
                ),
                migrations.AddIndex(
                    model_name='encounter',
                    index=models.Index(fields=['participant', '-occurred_at'], name='encounter_participant_time'),
                ),
                migrations.AddIndex(
                    model_name='encounter',
                    index=models.Index(fields=['program', 'kind', '-occurred_at'], name='encounter_kind_time'),
                ),
                migrations.AddConstraint(
                    model_name='encountersupply',
                    constraint=models.UniqueConstraint(fields=('encounter', 'item'), name='encountersupply_unique_item'),
                ),
                migrations.AddConstraint(
                    model_name='encountersupply',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='encountersupply_quantity_positive'),
                ),
                migrations.AddIndex(
                    model_name='participantfirstmonth',
                    index=models.Index(fields=['program', 'first_month'], name='participantfirstmonth_month'),
                ),
                migrations.AddIndex(
                    model_name='participantmonth',
                    index=models.Index(fields=['participant', 'month'], name='participantmonth_history'),
                ),
                migrations.AddConstraint(
                    model_name='participantmonth',
                    constraint=models.UniqueConstraint(fields=('program', 'month', 'participant', 'location', 'kind'), name='participantmonth_unique'),
                ),
                migrations.AddConstraint(
                    model_name='participantyear',
                    constraint=models.UniqueConstraint(fields=('program', 'year', 'participant', 'location', 'kind'), name='participantyear_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
