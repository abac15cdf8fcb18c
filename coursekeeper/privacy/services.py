"""Writes of the privacy app."""

from __future__ import annotations

import logging

from django.contrib.admin.models import CHANGE
from django.db import transaction

from coursekeeper.privacy.access.roles import EDIT_PROVIDER, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


@transaction.atomic
def update_provider_settings(*, acting_user, changes: dict[str, object]) -> ProviderSettings:
    """Change the provider's details; only the owner and the privacy officer may."""
    if not can(acting_user, EDIT_PROVIDER):
        raise PrivacyError("not_allowed")
    row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    for name, value in changes.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    record_staff_change(
        acting_user=acting_user,
        obj=row,
        action=CHANGE,
        message=[{"changed": {"fields": sorted(changes)}}],
    )
    logger.info("provider settings changed by=%s", pseudonym(acting_user.pk))
    return row
