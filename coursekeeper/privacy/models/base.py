"""The abstract row about a person: an account or, without one, a normalised email address.

Every row names one of the two, both indexed; the consents, restrictions, objections,
disclosures and the staff access log build on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PersonReference(models.Model):
    """Abstract: a row about an account or, without one, about an email address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email address"), blank=True, db_index=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=True, email=""),
                name="%(app_label)s_%(class)s_names_a_person",
            )
        ]
