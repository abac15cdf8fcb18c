"""Whether a person's erasure is pending or done, for the privacy gate."""

from __future__ import annotations

from django.db.models import QuerySet

from coursekeeper.privacy.people import Person


def erasure_jobs_of(user_id: int) -> QuerySet:
    """Return the erasure jobs that count for the account: waiting, running or done."""
    from coursekeeper.privacy.models import ErasureJob

    return ErasureJob.objects.filter(user_id=user_id).exclude(status="failed")


def is_being_erased(person: Person) -> bool:
    """Return True while an erasure job for the person waits or runs, and after it finished."""
    if person.user_id is None:
        return False
    from django.contrib.auth import get_user_model

    if not get_user_model()._base_manager.filter(pk=person.user_id).exists():
        return True
    return erasure_jobs_of(person.user_id).exists()
