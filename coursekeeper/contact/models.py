"""People who got in touch (R19, R20): one thread per email address, its entries, staff views.

A `Contact` is keyed by the normalised email address: a second message from the same address
joins the same thread. Its `keep_until` is computed by `coursekeeper.contact.retention` from
the thread (2 or 5 years after the last contact) and from a customer relationship, if one
follows; the retention sweep deletes a contact once that day has passed, and its entries and
the log of who looked at it go with it (CASCADE).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 32
ADDRESS_MAX_LENGTH = 500
MESSAGE_MAX_LENGTH = 5000
SUBJECT_MAX_LENGTH = 200
# What staff log or send: a call's notes or an email pasted in whole may be longer.
ENTRY_MAX_LENGTH = 20000


def two_years_from_now() -> dt.datetime:
    """The keep-until of a thread nothing else is known about yet (see retention.py)."""
    from coursekeeper.privacy.declarations import add_years

    return add_years(timezone.now(), 2)


class Contact(models.Model):
    """Someone who wrote to us or whom staff spoke to, with the details they gave."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        # The thread has its own retention: an account that goes (other than by erasure, which
        # deletes the thread too) leaves the thread to the address it came from.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)
    postal_address = models.CharField(
        _("postal address"), max_length=ADDRESS_MAX_LENGTH, blank=True
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    first_contact_at = models.DateTimeField(_("first contact"), default=timezone.now)
    last_contact_at = models.DateTimeField(_("last contact"), default=timezone.now, db_index=True)
    years_after_last_contact = models.PositiveSmallIntegerField(
        _("years kept after the last contact"), default=2
    )
    keep_until = models.DateTimeField(_("kept until"), default=two_years_from_now, db_index=True)
    unread = models.BooleanField(_("unread"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"contact {self.pk}"


class ContactEntry(models.Model):
    """One message or conversation in a thread: a form message, a logged call or email, a reply."""

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("contact form")
        PHONE = "phone", _("phone call")
        EMAIL = "email", _("email")
        REPLY = "reply", _("email reply from the inbox")

    class Direction(models.TextChoices):
        IN = "in", _("from the person")
        OUT = "out", _("to the person")

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="entries", verbose_name=_("contact")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH, blank=True)
    text = models.TextField(_("message"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("contact entry")
        verbose_name_plural = _("contact entries")
        indexes = [models.Index(fields=["contact", "at"], name="contact_entry_thread_idx")]

    def __str__(self) -> str:
        return f"contact entry {self.pk}"
