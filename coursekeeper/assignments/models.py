"""Exercises handed in: what a learner sends for a hand-in lesson, and the instructor's verdict.

Each hand-in is its own row, so the history stays: an exercise sent back "to redo" keeps its
comment, and the learner's next hand-in is a new row. The latest row of a learner and lesson
is the one the instructor reviews.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Lesson


def handin_file_path(submission: Submission, filename: str) -> str:
    """Store each file in a folder of its own with an unguessable name; keep the file's name."""
    return f"handins/{secrets.token_hex(12)}/{filename}"


class Submission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        PASSED = "passed", _("Passed")
        TO_REDO = "to_redo", _("To redo")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handin_submissions"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("lesson")
    )
    text = models.TextField(_("your answer"), blank=True)
    file = models.FileField(_("file"), upload_to=handin_file_path, blank=True, max_length=255)
    # What the file's content was checked to be (`web.uploads`), never what the browser said.
    file_type = models.CharField(_("file's media type"), max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(_("file's size in bytes"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    comment = models.TextField(_("instructor's comment"), blank=True)
    # Handing in and being reviewed both count as activity; retention runs from the later.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("exercise handed in")
        verbose_name_plural = _("exercises handed in")
        indexes = [models.Index(fields=["lesson", "status"], name="assignments_lesson_status")]

    def __str__(self) -> str:
        return f"submission {self.pk}"

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
