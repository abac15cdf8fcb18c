"""Seed the cookie registry with every cookie and storage key the platform really sets."""

from django.db import migrations


def seed(apps, schema_editor):
    from coursekeeper.cookies.seed import seed_registry

    seed_registry(apps.get_model("cookies", "RegistryEntry"))


class Migration(migrations.Migration):
    dependencies = [("cookies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
