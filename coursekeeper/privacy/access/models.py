"""The access log: one row each time a staff member sees a person's data (R35).

Every staff page and every administration page that shows personal data writes here, through
`coursekeeper.privacy.access.services.record_access`, so a person can learn who looked at their
data, which categories, on which object and why, and the privacy officer can read it by person,
by staff member or by period.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.models import PersonReference


class StaffAccess(PersonReference):
    """That `staff` saw these categories of the person's data, on `place`, for `purpose`.

    The person is named by account (`user`) or, for someone without one, by normalised email
    (`email`), as every person reference is. The object is kept by type and id, never by its
    text, so the log repeats none of the data it records a view of.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    categories = models.JSONField(_("categories of data"), default=list)
    object_type = models.ForeignKey(
        ContentType,
        verbose_name=_("kind of record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    purpose = models.CharField(_("purpose"), max_length=64)
    place = models.CharField(_("page"), max_length=120)

    class Meta(PersonReference.Meta):
        verbose_name = _("staff access")
        verbose_name_plural = _("staff accesses")
        indexes = [
            models.Index(fields=["user", "at"], name="privacy_access_by_person"),
            models.Index(fields=["staff", "at"], name="privacy_access_by_staff"),
        ]

    def __str__(self) -> str:
        return f"access {self.pk}"
