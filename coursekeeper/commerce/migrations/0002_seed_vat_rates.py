"""Seed the EU member states' standard VAT rates; staff keep them current afterwards."""

from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    from coursekeeper.commerce.vat import EU_STANDARD_RATES

    VatRate = apps.get_model("commerce", "VatRate")
    for country, rate in EU_STANDARD_RATES.items():
        VatRate.objects.get_or_create(
            country=country, defaults={"rate": Decimal(rate), "in_eu": True}
        )


class Migration(migrations.Migration):
    dependencies = [("commerce", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
