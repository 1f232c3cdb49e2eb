"""Seed the default retry schedule for temporary errors: 30 s, 2 min, 10 min, 1 h, 6 h (editable in the admin)."""
from django.db import migrations

DEFAULT_DELAYS = (30, 120, 600, 3600, 21600)


def seed(apps, schema_editor):
    BackoffStep = apps.get_model("syncjobs", "BackoffStep")
    for attempt, delay in enumerate(DEFAULT_DELAYS, start=1):
        BackoffStep.objects.get_or_create(attempt=attempt, defaults={"delay_seconds": delay})


class Migration(migrations.Migration):
    dependencies = [("syncjobs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
