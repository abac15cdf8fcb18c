"""Every write of the surveys app: answering a survey, and building one.

Design: knowing *that* someone answered, never *what*, for an anonymous survey.

A learner may answer a survey once, and the lesson then shows as done. So the platform must
know that they answered: that is the lesson completion `learning.services.complete_lesson`
records (a `LessonProgress` row: who, which lesson, when). It records that they answered, never
what. Their answers to an anonymous survey go into `AnonymousResponse` and `AnonymousAnswer`
rows that must not be joinable with that completion, or with anything else about them:

- no column names a person: no account, no email, no IP address, no session;
- no time at all is stored with them, so no timestamp can be matched with the completion's
  `completed_at` (a date would still single out the only learner who answered on a quiet day);
- their keys are random UUIDs, not a sequence, so the rows cannot be put in the order the
  completions were made in;
- they are written in a transaction of their own, after the completion's has committed
  (`transaction.on_commit`), never in the same one, so no transaction id is shared either;
- nothing is logged about them, and the answer is a POST, which the page-view counter does not
  count (it counts only GET pages, by route, and never with the answers).

What a rerun or a failure does: the completion is written first, under a lock on the learner's
enrolment, after checking the survey was not answered yet; a second submission is refused and
changes nothing. If writing the answers failed after the completion committed, the learner
would be done without their answers counted: at worst one answer is lost, never counted twice
and never linked. Someone with raw access to the database files could still guess from where
rows sit on disk; nobody reading through the application, staff included, can link them.

A named survey is simpler: the learner's `NamedResponse` and the completion are written in one
transaction, after asking the gate for the course-feedback purpose (`surveys.privacy`).

The gate and anonymous answers: an anonymous answer processes no personal data, so it asks no
gate of its own. What is about the person is the completion, and that asks the gate of
`learning.mark_lesson_done` before anything is stored: a restricted learner is refused and
nothing is stored, answers included, since answers without a completion could be sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Enrollment, Lesson, LessonProgress
from coursekeeper.learning.services import complete_lesson
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.people import Person
from coursekeeper.surveys.errors import SurveyError
from coursekeeper.surveys.models import (
    AnonymousAnswer,
    AnonymousResponse,
    NamedAnswer,
    NamedResponse,
    Survey,
    SurveyOption,
    SurveyQuestion,
)
from coursekeeper.surveys.privacy import SAVE_NAMED_ANSWERS

logger = logging.getLogger(__name__)

SCALE = range(1, 6)


def has_answered(*, learner, lesson: Lesson) -> bool:
    """Return whether `learner` has answered the survey of `lesson` (the lesson is done)."""
    return LessonProgress.objects.filter(
        learner=learner, lesson=lesson, completed_at__isnull=False
    ).exists()


def checked_answers(survey: Survey, answers: Mapping[int, Any]) -> list[dict[str, Any]]:
    """Return the answer rows' values for `answers` (question id -> the value given).

    A scale takes an integer from 1 to 5, one choice an option id, several choices a list of
    option ids, free text a string. Refuse a missing required answer or a foreign option, naming
    the question's field (`q<id>`), so the form shows the message beside it.
    """
    rows: list[dict[str, Any]] = []
    for question in survey.questions.prefetch_related("options"):
        field_name = f"q{question.pk}"
        value = answers.get(question.pk)
        options = {option.pk: option for option in question.options.all()}
        given: list[dict[str, Any]] = []
        if question.kind == SurveyQuestion.Kind.SCALE and value not in (None, ""):
            if value not in SCALE:
                raise SurveyError("bad_answer", field_name=field_name)
            given.append({"scale": value})
        elif question.kind == SurveyQuestion.Kind.SINGLE and value not in (None, ""):
            if value not in options:
                raise SurveyError("bad_answer", field_name=field_name)
            given.append({"option": options[value]})
        elif question.kind == SurveyQuestion.Kind.MULTIPLE and value:
            if not set(value) <= set(options):
                raise SurveyError("bad_answer", field_name=field_name)
            given.extend({"option": options[pk]} for pk in sorted(set(value)))
        elif question.kind == SurveyQuestion.Kind.TEXT and value and str(value).strip():
            given.append({"text": str(value).strip()})
        if not given and question.required:
            raise SurveyError("answer_required", field_name=field_name)
        rows.extend({"question": question, **row} for row in given)
    return rows


def answer_survey(*, learner, lesson: Lesson, answers: Mapping[int, Any]) -> None:
    """Take `learner`'s answers to the survey of `lesson` and mark the lesson done (R6).

    Refuse a second submission ("already_answered"), a missing or foreign answer, a lesson
    that is not open to the learner, and (for a named survey) a learner the gate refuses;
    each refusal changes nothing. How anonymous answers stay unlinked: the module docstring.
    """
    survey = Survey.objects.filter(lesson=lesson, lesson__kind=Lesson.Kind.SURVEY).first()
    if survey is None:
        raise SurveyError("survey_not_found")
    rows = checked_answers(survey, answers)
    if survey.is_anonymous:
        _answer_anonymously(learner=learner, lesson=lesson, survey=survey, rows=rows)
    else:
        _answer_by_name(learner=learner, lesson=lesson, survey=survey, rows=rows)


@transaction.atomic
def _answer_by_name(*, learner, lesson: Lesson, survey: Survey, rows: list[dict]) -> None:
    _lock_enrolment(learner=learner, lesson=lesson)
    if has_answered(learner=learner, lesson=lesson):
        raise SurveyError("already_answered")
    decision = SAVE_NAMED_ANSWERS.ask(Person.for_user(learner))
    if not decision:
        raise SurveyError(
            "answers_restricted"
            if decision.reason in ("restricted", "objected")
            else "processing_refused"
        )
    try:
        with transaction.atomic():
            response = NamedResponse.objects.create(survey=survey, learner=learner)
    except IntegrityError:
        raise SurveyError("already_answered") from None
    NamedAnswer.objects.bulk_create(NamedAnswer(response=response, **row) for row in rows)
    _complete(learner=learner, lesson=lesson)


def _answer_anonymously(*, learner, lesson: Lesson, survey: Survey, rows: list[dict]) -> None:
    with transaction.atomic():
        _lock_enrolment(learner=learner, lesson=lesson)
        if has_answered(learner=learner, lesson=lesson):
            raise SurveyError("already_answered")
        _complete(learner=learner, lesson=lesson)
        # Only once the completion has committed, in a transaction of its own.
        transaction.on_commit(lambda: _store_anonymous_or_lose(survey_id=survey.pk, rows=rows))


def _store_anonymous_or_lose(*, survey_id: int, rows: list[dict]) -> None:
    """Store the answers; if the database refuses, lose them rather than show an error page
    about a lesson already done. The log line names neither the person nor the answers (a
    database error's message can quote the row, and the line's time would sit beside theirs)."""
    try:
        _store_anonymous(survey_id=survey_id, rows=rows)
    except DatabaseError:
        logger.error("anonymous survey answers not stored: database error")


@transaction.atomic
def _store_anonymous(*, survey_id: int, rows: list[dict]) -> None:
    """Write one set of anonymous answers: a random key, the survey, the answers; nothing else."""
    response = AnonymousResponse.objects.create(survey_id=survey_id)
    AnonymousAnswer.objects.bulk_create(AnonymousAnswer(response=response, **row) for row in rows)


def _lock_enrolment(*, learner, lesson: Lesson) -> None:
    """Lock the learner's enrolment, so two submissions at once are taken one after the other."""
    Enrollment.objects.select_for_update().filter(
        learner=learner, course_id=lesson.module.course_id
    ).first()


def _complete(*, learner, lesson: Lesson) -> None:
    try:
        complete_lesson(learner=learner, lesson=lesson)
    except LearningError as refusal:
        if refusal.code == "progress_restricted":
            raise SurveyError("processing_refused") from None
        raise


# --- Building a survey (the instructor) ----------------------------------------------------------


def _check_teaches(acting_user, lesson: Lesson) -> None:
    if not can(acting_user, TEACH, lesson.module.course):
        raise SurveyError("not_your_course")


def _has_answers(survey: Survey) -> bool:
    return (
        survey.named_responses.exists()
        or survey.anonymous_responses.exists()
        or LessonProgress.objects.filter(
            lesson_id=survey.lesson_id, completed_at__isnull=False
        ).exists()
    )


@transaction.atomic
def save_survey(*, acting_user, lesson: Lesson, is_anonymous: bool, intro: str) -> Survey:
    """Create or change the survey of a survey lesson the acting instructor teaches.

    Whether it is anonymous cannot change once someone answered: learners answered on the
    promise the notice beside the form made them.
    """
    _check_teaches(acting_user, lesson)
    if lesson.kind != Lesson.Kind.SURVEY:
        raise SurveyError("survey_not_found")
    survey, _created = Survey.objects.select_for_update().get_or_create(
        lesson=lesson, defaults={"is_anonymous": is_anonymous, "intro": intro}
    )
    if survey.is_anonymous != is_anonymous and _has_answers(survey):
        raise SurveyError("survey_has_answers", field_name="is_anonymous")
    survey.is_anonymous = is_anonymous
    survey.intro = intro
    survey.save(update_fields=["is_anonymous", "intro"])
    return survey


@transaction.atomic
def add_question(
    *,
    acting_user,
    survey: Survey,
    kind: str,
    text: str,
    required: bool = True,
    options: list[str] | None = None,
    low_label: str = "",
    high_label: str = "",
) -> SurveyQuestion:
    """Add a question at the end of a survey nobody has answered yet."""
    _check_teaches(acting_user, survey.lesson)
    if _has_answers(survey):
        raise SurveyError("survey_has_answers")
    choices = [option.strip() for option in options or [] if option.strip()]
    if kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE) and len(choices) < 2:
        raise SurveyError("needs_options", field_name="options")
    position = survey.questions.count() + 1
    question = SurveyQuestion.objects.create(
        survey=survey,
        kind=kind,
        text=text,
        required=required,
        low_label=low_label if kind == SurveyQuestion.Kind.SCALE else "",
        high_label=high_label if kind == SurveyQuestion.Kind.SCALE else "",
        position=position,
    )
    if question.has_options:
        SurveyOption.objects.bulk_create(
            SurveyOption(question=question, text=choice, position=index)
            for index, choice in enumerate(choices, start=1)
        )
    return question


@transaction.atomic
def remove_question(*, acting_user, question: SurveyQuestion) -> None:
    """Remove a question from a survey nobody has answered yet."""
    _check_teaches(acting_user, question.survey.lesson)
    if _has_answers(question.survey):
        raise SurveyError("survey_has_answers")
    question.delete()
