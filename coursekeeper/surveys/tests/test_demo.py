"""R6: the demo school has an anonymous feedback survey, seeded once."""

from __future__ import annotations

import pytest

from coursekeeper.learning.factories import CourseFactory
from coursekeeper.surveys.demo import seed_demo_survey
from coursekeeper.surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_r6_the_demo_survey_is_anonymous_with_a_scale_a_choice_and_free_text_and_seeded_once():
    course = CourseFactory()

    first = seed_demo_survey(course)
    again = seed_demo_survey(course)

    assert again.pk == first.pk
    assert Survey.objects.filter(lesson__module__course=course).count() == 1
    assert first.is_anonymous is True
    assert list(first.questions.values_list("kind", flat=True)) == ["scale", "single", "text"]
    assert first.lesson.kind == "survey"
