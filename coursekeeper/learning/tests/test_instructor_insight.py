"""R34: instructors see their learners under pseudonyms, and group figures only for big groups."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
)
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import ProviderSettings, StaffAccess
from coursekeeper.security.services import course_pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor():
    person = StaffFactory(role=Role.INSTRUCTOR, is_staff=False)
    AuthenticatorFactory(user=person)
    return person


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def course_with_learners(instructor, token, *, learners: int, finished_first: int):
    """A course of two lessons; `finished_first` of the learners finished the first lesson."""
    course = CourseFactory(instructor=instructor)
    module = ModuleFactory(course=course)
    first, second = LessonFactory(module=module), LessonFactory(module=module)
    people = [
        UserFactory(
            full_name=f"Learner{index} {token}",
            email=f"learner{index}-{token}@example.org",
            street_address=f"{token} Street {index}",
        )
        for index in range(learners)
    ]
    for index, person in enumerate(people):
        EnrollmentFactory(learner=person, course=course)
        if index < finished_first:
            LessonProgressFactory(learner=person, lesson=first, completed_at=timezone.now())
    return course, people, (first, second)


def test_r34_the_instructor_sees_pseudonyms_never_names_emails_or_addresses(instructor, token):
    course, people, _lessons = course_with_learners(instructor, token, learners=6, finished_first=5)

    page = client_for(instructor).get(f"/teach/{course.slug}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"<title>{course.title}" in html
    assert html.count('id="learners-heading"') == 1
    assert token not in html
    shown = sorted(row.pseudonym for row in page.context["insight"].learners.object_list)
    assert shown == sorted(course_pseudonym(course.pk, person.pk) for person in people)
    assert all(pseudonym in html for pseudonym in shown)
    # The pseudonymised rows are personal data: the look at each is logged.
    assert StaffAccess.objects.filter(staff=instructor, place="learning:editor_course").count() == 6


def test_r34_a_figure_about_fewer_learners_than_the_threshold_is_hidden(instructor, token):
    course, _people, (first, second) = course_with_learners(
        instructor, token, learners=6, finished_first=5
    )
    LessonProgressFactory(learner=_people[0], lesson=second, completed_at=timezone.now())

    insight = client_for(instructor).get(f"/teach/{course.slug}/").context["insight"]

    assert (insight.enrolled, insight.too_few) == (6, False)
    by_lesson = {figure.lesson: figure for figure in insight.lessons}
    assert (by_lesson[first].completed.value, by_lesson[first].share) == (5, 83)
    # One learner finished the second lesson: too small a group to show.
    assert (by_lesson[second].completed.value, by_lesson[second].share) == (None, None)
    assert insight.completed.value == 0  # nobody finished: zero names no one


def test_r34_the_owner_raises_the_threshold_and_every_group_figure_hides(instructor, token):
    course, _people, _lessons = course_with_learners(
        instructor, token, learners=6, finished_first=6
    )
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 7})

    page = client_for(instructor).get(f"/teach/{course.slug}/")
    insight = page.context["insight"]

    assert (insight.threshold, insight.too_few) == (7, True)
    assert [figure.completed.value for figure in insight.lessons] == [None, None]
    assert "Fewer than 7 learners are enrolled" in page.content.decode()


def test_r34_a_learner_has_another_pseudonym_in_another_course(instructor):
    learner = UserFactory()
    one, other = CourseFactory(instructor=instructor), CourseFactory(instructor=instructor)

    assert course_pseudonym(one.pk, learner.pk) == course_pseudonym(one.pk, learner.pk)
    assert course_pseudonym(one.pk, learner.pk) != course_pseudonym(other.pk, learner.pk)


def test_r34_another_instructors_course_is_refused_and_nothing_is_logged(instructor, token):
    course, _people, _lessons = course_with_learners(
        StaffFactory(role=Role.INSTRUCTOR), token, learners=5, finished_first=5
    )

    assert client_for(instructor).get(f"/teach/{course.slug}/").status_code == 403
    assert StaffAccess.objects.count() == 0
