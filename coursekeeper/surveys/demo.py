"""The demo school's survey: an anonymous course-feedback survey at the end of a demo course."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from coursekeeper.learning.models import Course, Lesson, Module
from coursekeeper.surveys.models import Survey, SurveyOption, SurveyQuestion

MODULE_TITLE = "Your feedback"
LESSON_TITLE = "What did you think of the course?"


@transaction.atomic
def seed_demo_survey(course: Course) -> Survey:
    """Add the feedback survey to `course` (once: a course that has it keeps it as it is)."""
    existing = Survey.objects.filter(lesson__module__course=course).first()
    if existing is not None:
        return existing
    last = course.modules.aggregate(last=Max("position"))["last"] or 0
    module = Module.objects.create(course=course, title=MODULE_TITLE, position=last + 1)
    lesson = Lesson.objects.create(
        module=module,
        title=LESSON_TITLE,
        kind=Lesson.Kind.SURVEY,
        body="Three short questions help us make the course better.",
        position=1,
    )
    survey = Survey.objects.create(
        lesson=lesson,
        is_anonymous=True,
        intro="Your answers are anonymous. Only the questions marked required must be answered.",
    )
    SurveyQuestion.objects.create(
        survey=survey,
        kind=SurveyQuestion.Kind.SCALE,
        text="How useful was the course for your work?",
        low_label="Not useful",
        high_label="Very useful",
        position=1,
    )
    pace = SurveyQuestion.objects.create(
        survey=survey, kind=SurveyQuestion.Kind.SINGLE, text="How was the pace?", position=2
    )
    SurveyOption.objects.bulk_create(
        SurveyOption(question=pace, text=text, position=index)
        for index, text in enumerate(["Too slow", "About right", "Too fast"], start=1)
    )
    SurveyQuestion.objects.create(
        survey=survey,
        kind=SurveyQuestion.Kind.TEXT,
        text="What should we change?",
        required=False,
        position=3,
    )
    return survey
