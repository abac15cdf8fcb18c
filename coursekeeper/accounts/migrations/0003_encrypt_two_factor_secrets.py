"""Encrypt the two-factor secrets stored in clear before MFA_ADAPTER sealed them (R38).

A sealed value is recognised by its prefix, so running this again seals nothing twice; values
sealed with an older key are re-encrypted with the first one. Going back stores them in clear
again, which is what allauth without our adapter reads.
"""

from django.db import migrations


def seal_secrets(apps, schema_editor):
    from coursekeeper.accounts.mfa.encryption import reseal_authenticators

    reseal_authenticators(apps.get_model("mfa", "Authenticator"))


def open_secrets(apps, schema_editor):
    from coursekeeper.accounts.mfa.encryption import open_authenticators

    open_authenticators(apps.get_model("mfa", "Authenticator"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_profile_changes"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_secrets, open_secrets)]
