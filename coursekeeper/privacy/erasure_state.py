"""Whether a person's erasure is pending or done, for the privacy gate."""

from __future__ import annotations

from coursekeeper.privacy.people import Person


def is_being_erased(person: Person) -> bool:
    """Return True while an erasure job for the person waits or runs, and after it finished."""
    if person.user_id is None:
        return False
    from django.contrib.auth import get_user_model

    from coursekeeper.privacy.models import ErasureJob

    if not get_user_model()._base_manager.filter(pk=person.user_id).exists():
        return True
    return ErasureJob.objects.filter(user_id=person.user_id).exclude(status="failed").exists()
