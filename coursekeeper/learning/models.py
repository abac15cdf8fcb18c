"""Courses, their modules and lessons, enrolments and progress (R4, R5).

A course is written in one of the three languages (the instructor picks it); the catalogue
shows every published course and lets a person filter by language and topic.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.cookies.video import PROVIDER_CHOICES, Video, video_for


class Topic(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the course"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="courses", verbose_name=_("topics")
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="taught_courses",
        verbose_name=_("instructor"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["course", "position", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        VIDEO = "video", _("Video")
        FILE = "file", _("Downloadable file")
        EXERCISE = "exercise", _("Exercise")
        # Kinds whose part of the page another app brings (`learning.kinds`).
        QUIZ = "quiz", _("Quiz")
        SURVEY = "survey", _("Survey")
        HANDIN = "handin", _("Exercise to hand in")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("text"), blank=True)
    media = models.FileField(_("video or file"), upload_to="lessons/", blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    duration_seconds = models.PositiveIntegerField(
        _("video length in seconds"), null=True, blank=True
    )
    # A YouTube or Vimeo video shown on the lesson page, once the learner allows its cookies
    # (R22): the provider and the video's id, never an address typed in (`cookies.video`).
    embed_provider = models.CharField(
        _("embedded video from"), max_length=16, choices=PROVIDER_CHOICES, blank=True
    )
    embed_video_id = models.CharField(_("embedded video's id"), max_length=32, blank=True)
    release_after_days = models.PositiveIntegerField(
        _("opens this many days after enrolment"), null=True, blank=True
    )
    release_on = models.DateField(_("opens on"), null=True, blank=True)
    is_free_sample = models.BooleanField(
        _("free material"),
        default=False,
        help_text=_("Anyone may download the file by giving a name and an email address."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["module__position", "module_id", "position", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(embed_provider="", embed_video_id="")
                    | (~models.Q(embed_provider="") & ~models.Q(embed_video_id=""))
                ),
                name="learning_lesson_embed_has_provider_and_id",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def embedded_video(self) -> Video | None:
        """Return the YouTube or Vimeo video the lesson embeds, or None."""
        return video_for(self.embed_provider, self.embed_video_id)

    def opens_at(self, enrolled_at: dt.datetime) -> dt.datetime:
        """Return when this lesson opens for someone enrolled at `enrolled_at` (drip release)."""
        return opens_at(enrolled_at, self.release_after_days, self.release_on)


def opens_at(
    enrolled_at: dt.datetime, release_after_days: int | None, release_on: dt.date | None
) -> dt.datetime:
    """Return when a lesson opens: at enrolment, N days after it, or on a date (the latest)."""
    moments = [enrolled_at]
    if release_after_days:
        moments.append(enrolled_at + dt.timedelta(days=release_after_days))
    if release_on:
        moments.append(
            dt.datetime.combine(release_on, dt.time.min, tzinfo=timezone.get_current_timezone())
        )
    return max(moments)


class Enrollment(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last lesson"),
    )
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    # Empty for lasting access (a course bought outright, a free course); a subscription or a
    # refund sets the moment access ends.
    access_until = models.DateTimeField(_("access until"), null=True, blank=True, db_index=True)
    # The learner's own choice: the course's news by email (R18); switched off on the course
    # page or by the link in every news email.
    receives_course_news = models.BooleanField(_("receives the course's news"), default=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="learning_one_enrolment"),
        ]
        indexes = [
            # The course statistics count the finished per course (`learning.insight`).
            models.Index(fields=["course", "completed_at"], name="learning_enrol_course_done"),
        ]

    def __str__(self) -> str:
        return f"enrolment {self.pk}"


class LessonProgress(models.Model):
    """Where a learner is in one lesson: done or not, and the second of the video (R5)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="progress", verbose_name=_("lesson")
    )
    position_seconds = models.FloatField(_("position in the video (seconds)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)
    # When the learner first opened the lesson page: with `completed_at`, how long the lesson
    # took (the course statistics, `learning.insight`). Written once, never on later views.
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="learning_one_progress"),
        ]
        indexes = [
            # The course statistics count per lesson who finished it and how long it took.
            models.Index(fields=["lesson", "completed_at"], name="learning_progress_lesson_done"),
        ]

    def __str__(self) -> str:
        return f"progress {self.pk}"


class CourseNews(models.Model):
    """An update an instructor posted to a course's learners (R18); sent once, by email."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="news", verbose_name=_("course")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    # When the sending finished: every learner who could get it has it in the outbox.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("course news")
        verbose_name_plural = _("course news")
        indexes = [models.Index(fields=["course", "-created_at"], name="learning_news_course")]

    def __str__(self) -> str:
        return self.subject


class CourseNewsDelivery(models.Model):
    """That one news item was queued for one learner: at most once (the unique constraint).

    Written in the same transaction as the outbox message, so a rerun of the sending finds it
    and queues nothing twice.
    """

    news = models.ForeignKey(
        CourseNews, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("news")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("course news sent")
        verbose_name_plural = _("course news sent")
        constraints = [
            models.UniqueConstraint(fields=["news", "learner"], name="learning_news_once"),
        ]

    def __str__(self) -> str:
        return f"news delivery {self.pk}"


MATERIAL_LINK_VALID_FOR = dt.timedelta(days=30)


class MaterialRequest(models.Model):
    """A visitor's request for free material: only a name and an email address (R4)."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), db_index=True)
    token = models.CharField(_("key of the download link"), max_length=64, unique=True)
    link_sent_at = models.DateTimeField(_("link sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("request for free material")
        verbose_name_plural = _("requests for free material")

    def __str__(self) -> str:
        return f"material request {self.pk}"
