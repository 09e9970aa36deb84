"""Stable keys for data interchange: a UUID per forløb, a code per team, an external id per user."""

import uuid

from django.db import migrations, models
from django.utils.text import slugify


def fill_keys(apps, schema_editor):
    Forloeb = apps.get_model("cases", "Forloeb")
    Team = apps.get_model("cases", "Team")
    for forloeb in Forloeb.objects.filter(uuid__isnull=True).only("id"):
        forloeb.uuid = uuid.uuid4()
        forloeb.save(update_fields=["uuid"])
    for team in Team.objects.filter(code=""):
        team.code = slugify(team.name)[:50] or f"team-{team.pk}"
        team.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_user_phone")]

    operations = [
        migrations.AddField(
            model_name="forloeb",
            name="uuid",
            field=models.UUIDField(null=True, editable=False, verbose_name="forløbs-id"),
        ),
        migrations.AddField(
            model_name="team",
            name="code",
            field=models.SlugField(
                blank=True,
                help_text="Fast kode for teamet i udvekslingsfiler; dannes af navnet, hvis den ikke udfyldes.",
                max_length=50,
                verbose_name="teamkode",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="Medarbejderens faste id i et andet system (bruges ved indlæsning af forløb).",
                max_length=100,
                null=True,
                unique=True,
                verbose_name="eksternt id",
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="forloeb",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="forløbs-id"),
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(fields=("kommune", "code"), name="team_code_unique"),
        ),
    ]
