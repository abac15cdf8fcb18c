"""Publish the newsletter's consent wording in the consent ledger (privacy.ConsentText).

Written through the historical model, with the same rule as `consents.ensure_wording`: a
published version is only ever added, never changed. The services publish it again at run time
(idempotently), so a database emptied by a test or a restore still has it.
"""

from django.db import migrations

from coursekeeper.newsletter.wording import WORDINGS

PURPOSE = "newsletter"


def publish(apps, schema_editor):
    consent_text = apps.get_model("privacy", "ConsentText")
    for version, texts in WORDINGS.items():
        for language, text in texts.items():
            consent_text.objects.get_or_create(
                purpose=PURPOSE, version=version, language=language, defaults={"text": text}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_newsletter"),
        ("privacy", "0008_consent_ledger"),
    ]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
