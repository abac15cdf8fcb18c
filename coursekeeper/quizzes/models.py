"""Quizzes in lessons (R6): a quiz's rules, its bank of questions, and the learners' attempts.

A quiz belongs to one lesson of kind "quiz". Each attempt draws its questions from the bank on
the server and keeps their ids in the order shown, so grading reads the same questions the
learner saw even if the bank changes later. An answer keeps what the learner gave (chosen
choice ids, text or a number) and what it scored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Lesson


class Quiz(models.Model):
    class Feedback(models.TextChoices):
        AFTER_SUBMITTING = "after_submitting", _("Right after submitting")
        AFTER_DATE = "after_date", _("After a date and time")

    class ScoreKept(models.TextChoices):
        BEST = "best", _("The best attempt")
        LAST = "last", _("The last attempt")

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="quiz", verbose_name=_("lesson")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (percent)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    draw_count = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("How many questions each attempt draws at random. Leave empty for all."),
    )
    feedback = models.CharField(
        _("feedback on answers shown"),
        max_length=20,
        choices=Feedback.choices,
        default=Feedback.AFTER_SUBMITTING,
    )
    feedback_from = models.DateTimeField(
        _("feedback shown from"),
        null=True,
        blank=True,
        help_text=_("Only when feedback is shown after a date and time."),
    )
    score_kept = models.CharField(
        _("score kept"), max_length=8, choices=ScoreKept.choices, default=ScoreKept.BEST
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="quizzes_pass_mark_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.lesson.title

    def time_limit(self) -> dt.timedelta | None:
        return dt.timedelta(minutes=self.time_limit_minutes) if self.time_limit_minutes else None

    def feedback_shown(self, now: dt.datetime | None = None) -> bool:
        """Return whether learners may see the feedback on each answer now."""
        if self.feedback == self.Feedback.AFTER_SUBMITTING:
            return True
        return self.feedback_from is not None and (now or timezone.now()) >= self.feedback_from


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT_TEXT = "short_text", _("Short text")
        NUMBER = "number", _("Number")

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"))
    points = models.PositiveSmallIntegerField(
        _("points"), default=1, validators=[MinValueValidator(1)]
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown with the feedback on the answer.")
    )
    # True or false: whether the statement is true.
    statement_is_true = models.BooleanField(_("the statement is true"), default=True)
    # Short text: the accepted answers, one per line (case and spaces do not matter).
    accepted_answers = models.TextField(
        _("accepted answers"), blank=True, help_text=_("One per line; case and spaces are ignored.")
    )
    # Number: the right number and how far off an answer may be.
    number = models.DecimalField(
        _("right number"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=18,
        decimal_places=6,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("An answer this far from the right number still counts."),
    )

    class Meta:
        ordering = ["quiz", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:120]

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.CharField(_("feedback"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("quiz")
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("to be submitted by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    question_ids = models.JSONField(_("questions drawn, in order"), default=list)
    score = models.PositiveSmallIntegerField(_("score (percent)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    # Closed at the deadline rather than by the learner: the answers sent too late were refused.
    expired = models.BooleanField(_("closed when time ran out"), default=False)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["quiz", "learner", "started_at", "pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["quiz", "learner"], name="quizzes_attempt_learner")]

    def __str__(self) -> str:
        return f"attempt {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("attempt")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    chosen = models.JSONField(_("choices picked"), default=list, blank=True)
    text = models.CharField(_("answer given"), max_length=500, blank=True)
    number = models.DecimalField(
        _("number given"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    is_correct = models.BooleanField(_("correct"), default=False)
    points = models.PositiveSmallIntegerField(_("points scored"), default=0)
    updated_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["attempt", "pk"]
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="quizzes_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"
