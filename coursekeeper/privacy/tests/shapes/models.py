"""One model per declaration shape; installed only by the test settings."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class ContactNote(models.Model):
    """Identifier subject: a visitor known only by an email address."""

    email = models.EmailField(db_index=True)
    name = models.CharField(max_length=200)
    message = models.TextField()
    last_contact_at = models.DateTimeField(default=timezone.now, db_index=True)


class AuditNote(models.Model):
    """Generic-relation subject."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64, db_index=True)
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)


class Conversation(models.Model):
    """Several participants, each with a share of their own."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_signature = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_signature = models.CharField(max_length=200)
    topic = models.CharField(max_length=200)


class Upload(models.Model):
    """A file field: erasure must remove the file, not only the row."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    document = models.FileField(upload_to="shapes/")


class Preferences(models.Model):
    """A JSON field holding personal data."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    settings_blob = models.JSONField(default=dict)


class StudyGroup(models.Model):
    """A many-to-many to people (its auto-created link table is declared too)."""

    title = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")


class HeldRecord(models.Model):
    """A row a law requires us to keep through an erasure (like an invoice)."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    buyer_name = models.CharField(max_length=200)
    amount_cents = models.IntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    held_until = models.DateTimeField(db_index=True)
