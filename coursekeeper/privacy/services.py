"""Writes of the privacy app."""

from __future__ import annotations

import logging

from django.db import transaction

from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

PROVIDER_EDITORS = {"owner", "privacy_officer"}


def may_edit_provider_settings(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in PROVIDER_EDITORS)


@transaction.atomic
def update_provider_settings(*, acting_user, changes: dict[str, object]) -> ProviderSettings:
    """Change the provider's details; only the owner and the privacy officer may."""
    if not may_edit_provider_settings(acting_user):
        raise PrivacyError("not_allowed")
    row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    for name, value in changes.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    logger.info("provider settings changed by=%s", pseudonym(acting_user.pk))
    return row
