"""Reads of the surveys app: the survey part of a lesson page, the editor's survey, the results.

The results follow the instructor-insight rules (R34, `learning.insight`): learners appear only
under their course pseudonym; every count that is not zero and smaller than the school's
smallest group (`ProviderSettings.min_group_size`) is hidden, and so is everything when fewer
people than that answered at all. Anonymous free-text answers are listed with no attribution, in
a random order, so not even their order says anything. Showing named answers to staff is
written to the staff access log (R35).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from coursekeeper.learning.insight import GroupFigure
from coursekeeper.learning.models import Lesson
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_access
from coursekeeper.security.services import course_pseudonym
from coursekeeper.surveys.errors import SurveyError
from coursekeeper.surveys.forms import AnswerForm
from coursekeeper.surveys.models import (
    AnonymousAnswer,
    AnonymousResponse,
    NamedAnswer,
    NamedResponse,
    Survey,
    SurveyQuestion,
)
from coursekeeper.web.charts import BarChart, bar_chart


def survey_of(lesson_id: int) -> Survey | None:
    return (
        Survey.objects.select_related("lesson__module__course")
        .filter(lesson_id=lesson_id, lesson__kind=Lesson.Kind.SURVEY)
        .first()
    )


def lesson_part(request: HttpRequest, page, *, form: AnswerForm | None = None) -> dict[str, Any]:
    """Return the survey part of a lesson page (`learning.kinds`): the form, or that it is done.

    `form` is the bound form of a submission that was refused, to show with its messages.
    """
    survey = survey_of(page.lesson_id)
    if survey is None or not survey.questions.exists():
        return {"survey": None}
    if form is None:
        form = AnswerForm(survey=survey)
    return {"survey": survey, "answered": page.completed, "items": form.items(), "form": form}


# --- The instructor's side -----------------------------------------------------------------------


def survey_lesson_to_edit(*, acting_user, slug: str, lesson_id: int) -> Lesson:
    """Return a survey lesson of a course the acting instructor teaches; refuse otherwise."""
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course__slug=slug, kind=Lesson.Kind.SURVEY)
        .first()
    )
    if lesson is None:
        raise SurveyError("survey_not_found")
    if not can(acting_user, TEACH, lesson.module.course):
        raise SurveyError("not_your_course")
    return lesson


@dataclass(frozen=True)
class Row:
    label: str
    figure: GroupFigure


@dataclass
class QuestionResult:
    question: SurveyQuestion
    rows: list[Row] = field(default_factory=list)
    chart: BarChart | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (pseudonym or "", text)


@dataclass
class SurveyResults:
    survey: Survey
    threshold: int
    respondents: int
    too_few: bool
    questions: list[QuestionResult]


def _threshold() -> int:
    from coursekeeper.privacy.models import ProviderSettings

    return ProviderSettings.objects.values_list("min_group_size", flat=True).first() or 5


def _figure(count: int, threshold: int, too_few: bool) -> GroupFigure:
    return GroupFigure(count, not too_few and (count == 0 or count >= threshold))


def survey_results(*, acting_user, survey: Survey) -> SurveyResults:
    """Return the results of `survey` as its instructor may see them (module docstring)."""
    threshold = _threshold()
    anonymous = survey.is_anonymous
    responses = (
        AnonymousResponse.objects.filter(survey=survey)
        if anonymous
        else NamedResponse.objects.filter(survey=survey)
    )
    answers = (
        AnonymousAnswer.objects.filter(response__survey=survey)
        if anonymous
        else NamedAnswer.objects.filter(response__survey=survey)
    )
    respondents = responses.count()
    too_few = respondents < threshold
    questions = list(survey.questions.prefetch_related("options"))
    by_scale: dict[tuple[int, int], int] = {
        (row["question_id"], row["scale"]): row["n"]
        for row in answers.filter(scale__isnull=False)
        .values("question_id", "scale")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_option: dict[int, int] = {
        row["option_id"]: row["n"]
        for row in answers.filter(option__isnull=False)
        .values("option_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    results = []
    shown_named: list[int] = []
    for question in questions:
        result = QuestionResult(question)
        if question.kind == SurveyQuestion.Kind.SCALE:
            for point in range(1, 6):
                label = str(point)
                if point == 1 and question.low_label:
                    label = f"1 ({question.low_label})"
                if point == 5 and question.high_label:
                    label = f"5 ({question.high_label})"
                count = by_scale.get((question.pk, point), 0)
                result.rows.append(Row(label, _figure(count, threshold, too_few)))
        elif question.has_options:
            for option in question.options.all():
                count = by_option.get(option.pk, 0)
                result.rows.append(Row(option.text, _figure(count, threshold, too_few)))
        elif not too_few:
            texts = answers.filter(question=question).exclude(text="")
            if anonymous:
                listed = [("", text) for text in texts.values_list("text", flat=True)]
                secrets.SystemRandom().shuffle(listed)
            else:
                course_id = survey.lesson.module.course_id
                named: list[tuple[int, int, str]] = list(
                    NamedAnswer.objects.filter(response__survey=survey, question=question)
                    .exclude(text="")
                    .values_list("response_id", "response__learner_id", "text")
                )
                shown_named.extend(response_id for response_id, _learner, _text in named)
                listed = sorted(
                    (course_pseudonym(course_id, learner_id), text)
                    for _response, learner_id, text in named
                )
            result.texts = listed
        shown = [
            (str(number), row.figure.count)
            for number, row in enumerate(result.rows, 1)
            if row.figure.shown
        ]
        if shown and not too_few:
            result.chart = bar_chart(shown, label_every=1)
        results.append(result)
    if shown_named:
        record_access(
            acting_user=acting_user,
            rows=NamedResponse.objects.filter(pk__in=set(shown_named)),
            place="surveys:results",
            categories=["content"],
            purpose="course_feedback",
        )
    return SurveyResults(survey, threshold, respondents, too_few, results)
