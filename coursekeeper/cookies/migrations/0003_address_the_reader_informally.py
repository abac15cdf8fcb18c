"""Rewrite the seeded cookies' German purposes to address the reader with "du".

The German catalogue speaks to the reader informally; the registry's seeded texts still said
"Sie". Only the German purpose of a seeded entry that still reads formally is rewritten, so an
entry the school has reworded itself is left as it is.
"""

import re

from django.db import migrations

FORMAL = re.compile(r"\b(Sie|Ihre?[nmrs]?)\b")


def address_informally(apps, schema_editor):
    from coursekeeper.cookies.seed import seed_entries

    registry_entry = apps.get_model("cookies", "RegistryEntry")
    for entry in seed_entries():
        stored = registry_entry.objects.filter(
            name=entry["name"],
            kind=entry.get("kind", "cookie"),
            provider=entry.get("provider", ""),
        )
        for row in stored:
            if FORMAL.search(row.purpose_de):
                row.purpose_de = entry.get("purpose_de", "")
                row.save(update_fields=["purpose_de"])


class Migration(migrations.Migration):
    dependencies = [("cookies", "0002_seed_registry")]

    operations = [migrations.RunPython(address_informally, migrations.RunPython.noop)]
