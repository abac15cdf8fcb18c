"""Surveys in lessons, named or anonymous (R6).

A survey is one lesson of the kind "survey": its questions, their options, and the answers.
A named survey keeps who answered (`NamedResponse`, the learner's data); an anonymous survey
keeps answers that hang off a response with a random key and nothing else (`AnonymousResponse`):
no account, no time, no sequence number. Why and how the two stay apart: `surveys.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Lesson


class Survey(models.Model):
    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="survey", verbose_name=_("lesson")
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Anonymous answers are stored with no link to the person who gave them. Named "
            "answers are shown to you under each learner's pseudonym."
        ),
    )
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return f"survey {self.pk}"


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SCALE)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("an answer is required"), default=True)
    low_label = models.CharField(_("label of 1 on the scale"), max_length=60, blank=True)
    high_label = models.CharField(_("label of 5 on the scale"), max_length=60, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


class SurveyOption(models.Model):
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("choice"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("survey choice")
        verbose_name_plural = _("survey choices")

    def __str__(self) -> str:
        return self.text


class AnswerFields(models.Model):
    """What one answer to one question holds: a point on the scale, a choice, or text.

    A multiple-choice question gets one answer row per option chosen.
    """

    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.CASCADE, related_name="+", verbose_name=_("question")
    )
    option = models.ForeignKey(
        SurveyOption,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("choice"),
    )
    scale = models.PositiveSmallIntegerField(_("point on the scale"), null=True, blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        abstract = True


class NamedResponse(models.Model):
    """A learner's answers to a named survey: theirs, exported and erased with them."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="named_responses", verbose_name=_("survey")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("survey answers")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "learner"], name="surveys_one_response"),
        ]

    def __str__(self) -> str:
        return f"survey response {self.pk}"


class NamedAnswer(AnswerFields):
    response = models.ForeignKey(
        NamedResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("answers")
    )

    class Meta:
        ordering = ["response", "question__position", "question_id", "pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers given")

    def __str__(self) -> str:
        return f"survey answer {self.pk}"


class AnonymousResponse(models.Model):
    """One set of anonymous answers: a random key and the survey, nothing else.

    No account, no time and no sequence: the key is random, so neither it nor a column can be
    put in order against the lesson completions, or joined with anything about a person.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="anonymous_responses")

    class Meta:
        verbose_name = _("anonymous survey answers")
        verbose_name_plural = _("anonymous survey answers")

    def __str__(self) -> str:
        return "anonymous survey response"


class AnonymousAnswer(AnswerFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        AnonymousResponse, on_delete=models.CASCADE, related_name="answers"
    )

    class Meta:
        verbose_name = _("anonymous survey answer")
        verbose_name_plural = _("anonymous survey answers given")

    def __str__(self) -> str:
        return "anonymous survey answer"
