"""Test factories for the surveys app, and the rehearsal of its processing path."""

from __future__ import annotations

import secrets

import factory

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory
from coursekeeper.learning.models import Lesson
from coursekeeper.privacy.paths import Rehearsal
from coursekeeper.surveys.models import (
    AnonymousAnswer,
    AnonymousResponse,
    NamedAnswer,
    NamedResponse,
    Survey,
    SurveyOption,
    SurveyQuestion,
)


class SurveyLessonFactory(LessonFactory):
    kind = Lesson.Kind.SURVEY
    body = "Tell us what you think."


class SurveyFactory(factory.django.DjangoModelFactory[Survey]):
    class Meta:
        model = Survey

    lesson = factory.SubFactory(SurveyLessonFactory)
    is_anonymous = True
    intro = "Five short questions."


class SurveyQuestionFactory(factory.django.DjangoModelFactory[SurveyQuestion]):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyQuestion.Kind.SCALE
    text = factory.Sequence(lambda n: f"Question {n}?")
    required = True
    low_label = "Not at all"
    high_label = "Very much"
    position = factory.Sequence(lambda n: n)


class SurveyOptionFactory(factory.django.DjangoModelFactory[SurveyOption]):
    class Meta:
        model = SurveyOption

    question = factory.SubFactory(SurveyQuestionFactory, kind=SurveyQuestion.Kind.SINGLE)
    text = factory.Sequence(lambda n: f"Choice {n}")
    position = factory.Sequence(lambda n: n)


class NamedResponseFactory(factory.django.DjangoModelFactory[NamedResponse]):
    class Meta:
        model = NamedResponse

    survey = factory.SubFactory(SurveyFactory, is_anonymous=False)
    learner = factory.SubFactory(UserFactory)


class NamedAnswerFactory(factory.django.DjangoModelFactory[NamedAnswer]):
    """A free-text answer carrying a random token, so a search for it cannot miss or hit by
    chance."""

    class Meta:
        model = NamedAnswer

    response = factory.SubFactory(NamedResponseFactory)
    question = factory.LazyAttribute(
        lambda answer: SurveyQuestionFactory(
            survey=answer.response.survey, kind=SurveyQuestion.Kind.TEXT
        )
    )
    text = factory.LazyFunction(lambda: f"My opinion {secrets.token_hex(8)}")


class AnonymousResponseFactory(factory.django.DjangoModelFactory[AnonymousResponse]):
    class Meta:
        model = AnonymousResponse

    survey = factory.SubFactory(SurveyFactory)


class AnonymousAnswerFactory(factory.django.DjangoModelFactory[AnonymousAnswer]):
    class Meta:
        model = AnonymousAnswer

    response = factory.SubFactory(AnonymousResponseFactory)
    question = factory.LazyAttribute(
        lambda answer: SurveyQuestionFactory(survey=answer.response.survey)
    )
    scale = 4


def survey_with_every_kind(*, is_anonymous: bool = True, lesson: Lesson | None = None) -> Survey:
    """Return a survey with a scale, a one-choice, a several-choice and a free-text question."""
    survey = SurveyFactory(is_anonymous=is_anonymous, **({"lesson": lesson} if lesson else {}))
    SurveyQuestionFactory(survey=survey, text="How useful was the course?", position=1)
    single = SurveyQuestionFactory(
        survey=survey, kind=SurveyQuestion.Kind.SINGLE, text="Which module was best?", position=2
    )
    for index, text in enumerate(["First", "Second"], start=1):
        SurveyOptionFactory(question=single, text=text, position=index)
    several = SurveyQuestionFactory(
        survey=survey,
        kind=SurveyQuestion.Kind.MULTIPLE,
        text="What did you use?",
        required=False,
        position=3,
    )
    for index, text in enumerate(["Videos", "Texts", "Exercises"], start=1):
        SurveyOptionFactory(question=several, text=text, position=index)
    SurveyQuestionFactory(
        survey=survey,
        kind=SurveyQuestion.Kind.TEXT,
        text="Anything else?",
        required=False,
        position=4,
    )
    return survey


def full_answers(survey: Survey, *, text: str = "Good course.") -> dict[int, object]:
    """Return answers to every question of `survey_with_every_kind`'s survey."""
    answers: dict[int, object] = {}
    for question in survey.questions.all():
        options = [option.pk for option in question.options.all()]
        answers[question.pk] = {
            SurveyQuestion.Kind.SCALE: 4,
            SurveyQuestion.Kind.SINGLE: options[0] if options else None,
            SurveyQuestion.Kind.MULTIPLE: options[:2],
            SurveyQuestion.Kind.TEXT: text,
        }[SurveyQuestion.Kind(question.kind)]
    return answers


# --- Rehearsals ----------------------------------------------------------------------------------


def rehearse_save_named_answers(user, path) -> Rehearsal:
    from coursekeeper.surveys.services import answer_survey

    survey = survey_with_every_kind(is_anonymous=False)
    EnrollmentFactory(learner=user, course=survey.lesson.module.course)
    return Rehearsal(
        run=lambda: answer_survey(learner=user, lesson=survey.lesson, answers=full_answers(survey)),
        happened=lambda: NamedResponse.objects.filter(learner=user, survey=survey).exists(),
    )
