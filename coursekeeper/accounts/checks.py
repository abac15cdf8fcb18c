"""System checks of the second factor's configuration (R38). Stable ids:

- accounts.E001 no key to seal two-factor secrets with (production: COURSEKEEPER_MFA_KEYS unset)
- accounts.E002 a key to seal two-factor secrets with is weak (production: under 50 characters)
- accounts.E003 MFA_ADAPTER is not the one that seals the secrets, so they would be stored in clear

Production refuses to start without strong keys already (settings.py); these checks say the same
for settings built any other way, in `manage.py check`.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

MFA_ADAPTER = "coursekeeper.accounts.mfa.adapter.MFAAdapter"
# Production asks what it asks of its other keys; development keys only have to be plausible.
PRODUCTION_KEY_LENGTH = 50
DEVELOPMENT_KEY_LENGTH = 32


@checks.register(checks.Tags.security)
def check_two_factor_secrets_are_sealed(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    keys = list(getattr(settings, "MFA_SECRET_KEYS", []))
    production = getattr(settings, "PRODUCTION", False)
    if not keys:
        errors.append(
            checks.Error(
                "There is no key to encrypt two-factor secrets with.",
                hint="Set COURSEKEEPER_MFA_KEYS (comma-separated, the newest first).",
                id="accounts.E001",
            )
        )
    minimum = PRODUCTION_KEY_LENGTH if production else DEVELOPMENT_KEY_LENGTH
    for position, key in enumerate(keys, start=1):
        if len(key) < minimum or len(set(key)) < 5:
            errors.append(
                checks.Error(
                    f"Key {position} of COURSEKEEPER_MFA_KEYS is weak.",
                    hint=f"Use a random string of at least {minimum} characters.",
                    id="accounts.E002",
                )
            )
    if getattr(settings, "MFA_ADAPTER", None) != MFA_ADAPTER:
        errors.append(
            checks.Error(
                "MFA_ADAPTER does not encrypt two-factor secrets; they would be stored in clear.",
                hint=f"Set MFA_ADAPTER = {MFA_ADAPTER!r}.",
                id="accounts.E003",
            )
        )
    return errors
