"""R6, R34, R30: where learners struggle, in group figures an objection leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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
from coursekeeper.learning.insight import counted_learners, counts_in_statistics
from coursekeeper.learning.models import Enrollment, LessonProgress
from coursekeeper.privacy.factories import (
    AuthenticatorFactory,
    ObjectionFactory,
    RestrictionFactory,
)
from coursekeeper.privacy.models import ProviderSettings

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def instructor():
    person = StaffFactory(role=Role.INSTRUCTOR, is_staff=False)
    AuthenticatorFactory(user=person)
    return person


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def threshold(size: int) -> None:
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": size})


def progress(learner, lesson, *, took: dt.timedelta | None = None, done: bool = True):
    """Progress on `lesson`: opened `took` before it was done (or done without a noted opening)."""
    return LessonProgressFactory(
        learner=learner,
        lesson=lesson,
        completed_at=NOW if done else None,
        first_opened_at=NOW - took if took is not None else None,
    )


def struggling_course(instructor, token):
    """Six learners in a course of three lessons, as the module docstring of each test says.

    Lesson 1: reached by learners 0-4, done by 0-3 (in 3 min, 10 min, 12 min, 2 days).
    Lesson 2: reached by 0-2 and by 5 (who skipped lesson 1), done by 0 (40 min) and 1 (90 min).
    Lesson 3: reached by 0 and 1, done by 0 (1 min). Learner 0 finished the course.
    """
    course = CourseFactory(instructor=instructor)
    module = ModuleFactory(course=course)
    lessons = [LessonFactory(module=module, position=n) for n in (1, 2, 3)]
    people = [
        UserFactory(full_name=f"Learner{n} {token}", email=f"learner{n}-{token}@example.org")
        for n in range(6)
    ]
    for person in people:
        EnrollmentFactory(learner=person, course=course)
    first, second, third = lessons
    minutes = dt.timedelta(minutes=1)
    for person, took in zip(people, [3, 10, 12, 2 * 24 * 60], strict=False):
        progress(person, first, took=took * minutes)
    progress(people[4], first, done=False)
    progress(people[0], second, took=40 * minutes)
    progress(people[1], second, took=90 * minutes)
    progress(people[2], second, done=False)
    progress(people[5], second, done=False)
    progress(people[0], third, took=1 * minutes)
    progress(people[1], third, done=False)
    Enrollment.objects.filter(learner=people[0], course=course).update(completed_at=NOW)
    return course, people, lessons


def test_r6_the_instructor_sees_drop_off_funnel_and_time_with_exact_figures(instructor, token):
    threshold(2)
    course, _people, _lessons = struggling_course(instructor, token)

    insight = client_for(instructor).get(f"/teach/{course.slug}/").context["insight"]

    assert (insight.enrolled, insight.too_few) == (6, False)
    assert [figure.reached.value for figure in insight.lessons] == [5, 4, 2]
    assert [figure.went_on and figure.went_on.value for figure in insight.lessons] == [None, 3, 2]
    assert [figure.went_on_share for figure in insight.lessons] == [None, 60, 50]
    assert [figure.completed.value for figure in insight.lessons] == [4, 2, None]
    funnel = [(str(step.label), step.figure.value, step.share) for step in insight.funnel]
    # Half-way: at least two of the three lessons done (learners 0 and 1); one finished: hidden.
    assert funnel == [
        ("enrolled", 6, 100),
        ("started", 6, 100),
        ("half-way", 2, 33),
        ("finished", None, None),
    ]
    # Lesson 1: one under 5 min (hidden), two in 5-15 min; two days is left out.
    assert [cell.value for cell in insight.lessons[0].times] == [None, 2, 0, 0, 0]
    assert [cell.value for cell in insight.lessons[1].times] == [0, 0, 0, None, None]
    assert [cell.count for cell in insight.times] == [2, 2, 0, 1, 1]
    assert [cell.value for cell in insight.times] == [2, 2, 0, None, None]


def test_r34_every_new_figure_hides_below_the_threshold_and_names_no_one(instructor, token):
    threshold(5)
    course, _people, _lessons = struggling_course(instructor, token)

    page = client_for(instructor).get(f"/teach/{course.slug}/")
    insight = page.context["insight"]
    html = page.content.decode()

    assert [figure.reached.value for figure in insight.lessons] == [5, None, None]
    assert [step.figure.value for step in insight.funnel] == [6, 6, None, None]
    assert [cell.value for cell in insight.times] == [None, None, 0, None, None]
    assert token not in html
    assert "fewer than 5" in html


def test_r34_too_few_counted_learners_show_no_figure_at_all(instructor, token):
    threshold(7)
    course, _people, _lessons = struggling_course(instructor, token)

    page = client_for(instructor).get(f"/teach/{course.slug}/")
    insight = page.context["insight"]

    assert insight.too_few is True
    assert [figure.reached.value for figure in insight.lessons] == [None, None, None]
    assert [step.figure.value for step in insight.funnel] == [None, None, None, None]
    assert "Fewer than 7 learners count" in page.content.decode()
    assert page.context["funnel_chart"] is None


def test_r6_each_chart_is_an_accessible_svg_with_the_figures_in_a_table(instructor, token):
    threshold(2)
    course, _people, _lessons = struggling_course(instructor, token)

    html = client_for(instructor).get(f"/teach/{course.slug}/").content.decode()

    for chart_id, title in [
        ("funnel-chart", "Learners enrolled, started, half-way and finished"),
        ("went-on-chart", "Share of learners who went on from the previous lesson (percent)"),
        ("time-chart", "Lessons finished, by the time they took"),
    ]:
        assert f'aria-labelledby="{chart_id}-title"' in html
        assert f'<title id="{chart_id}-title">{title}</title>' in html
    assert html.count('role="img"') == 4
    assert "<caption>Learners at each step (half-way: at least half the lessons done)" in html
    assert "<caption>Lessons finished, by the time they took</caption>" in html
    assert "<script" not in html.split('id="struggle-heading"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    "leave_out",
    [
        pytest.param(lambda p: ObjectionFactory(user=p, purpose="course_statistics"), id="purpose"),
        pytest.param(lambda p: ObjectionFactory(user=p, purpose=""), id="everything"),
        pytest.param(
            lambda p: ObjectionFactory(user=None, email=p.email, purpose="course_statistics"),
            id="by-address",
        ),
        pytest.param(lambda p: RestrictionFactory(user=p, email=p.email), id="restriction"),
    ],
)
def test_r30_an_objecting_learner_leaves_every_aggregate(instructor, token, leave_out):
    threshold(2)
    course, people, _lessons = struggling_course(instructor, token)
    leave_out(people[0])

    insight = client_for(instructor).get(f"/teach/{course.slug}/").context["insight"]

    assert insight.enrolled == 5
    assert [figure.reached.count for figure in insight.lessons] == [4, 3, 1]
    assert [figure.completed.count for figure in insight.lessons] == [3, 1, 0]
    assert [step.figure.count for step in insight.funnel] == [5, 5, 1, 0]
    assert [cell.count for cell in insight.times] == [0, 2, 0, 0, 1]
    # The learner still has their course and appears, pseudonymised, among the rows.
    assert len(insight.learners.object_list) == 6


def test_r30_an_objection_to_another_purpose_leaves_the_learner_counted(instructor, token):
    threshold(2)
    course, people, _lessons = struggling_course(instructor, token)
    ObjectionFactory(user=people[0], purpose="statistics")

    insight = client_for(instructor).get(f"/teach/{course.slug}/").context["insight"]

    assert insight.enrolled == 6


def test_r30_the_groups_query_agrees_with_the_gate_for_each_person(instructor):
    course = CourseFactory(instructor=instructor)
    plain, objecting, restricted, other = (UserFactory() for _ in range(4))
    for person in (plain, objecting, restricted, other):
        EnrollmentFactory(learner=person, course=course)
    ObjectionFactory(user=objecting, purpose="course_statistics")
    RestrictionFactory(user=restricted, email=restricted.email)
    ObjectionFactory(user=other, purpose="statistics")

    by_gate = {
        person.pk
        for person in (plain, objecting, restricted, other)
        if counts_in_statistics(learner=person)
    }

    assert by_gate == {plain.pk, other.pk}
    assert set(counted_learners(course).values_list("pk", flat=True)) == by_gate


def test_r30_the_purpose_is_in_the_policy_and_a_learner_can_object_on_my_data(token):
    from coursekeeper.privacy.rights import object_to

    learner = UserFactory()
    client = client_for(learner)

    assert "Course statistics" in Client().get("/privacy/").content.decode()
    mine = client.get("/me/privacy/").content.decode()
    assert 'value="course_statistics"' in mine
    object_to(user=learner, purpose_code="course_statistics", base_url="http://testserver")
    assert counts_in_statistics(learner=learner) is False


def test_r6_the_first_opening_is_noted_once_and_later_views_write_nothing(token):
    lesson = LessonFactory()
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=lesson.module.course)
    client = client_for(learner)

    client.get(f"/lessons/{lesson.pk}/")
    noted = LessonProgress.objects.get(learner=learner, lesson=lesson).first_opened_at
    with CaptureQueriesContext(connection) as again:
        client.get(f"/lessons/{lesson.pk}/")

    assert noted is not None
    assert LessonProgress.objects.get(learner=learner, lesson=lesson).first_opened_at == noted
    writes = [
        q["sql"]
        for q in again.captured_queries
        if q["sql"].lstrip().startswith(("UPDATE", "INSERT"))
    ]
    assert [sql for sql in writes if "learning_lessonprogress" in sql] == []


def test_r30_an_objecting_learner_s_opening_is_not_noted(token):
    lesson = LessonFactory()
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=lesson.module.course)
    ObjectionFactory(user=learner, purpose="course_statistics")

    page = client_for(learner).get(f"/lessons/{lesson.pk}/")

    assert page.status_code == 200
    assert not LessonProgress.objects.filter(learner=learner).exists()


def _queries_for_page(instructor, learners: int) -> int:
    course = CourseFactory(instructor=instructor)
    module = ModuleFactory(course=course)
    lessons = [LessonFactory(module=module) for _ in range(3)]
    for index in range(learners):
        person = UserFactory()
        EnrollmentFactory(learner=person, course=course)
        for lesson in lessons[: 1 + index % 3]:
            progress(person, lesson, took=dt.timedelta(minutes=index))
    ObjectionFactory(user=person, purpose="course_statistics")
    client = client_for(instructor)
    client.get(f"/teach/{course.slug}/")  # settle what a first request caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/teach/{course.slug}/").status_code == 200
    return len(queries.captured_queries)


def test_r6_the_page_costs_the_same_queries_for_10_and_60_learners(instructor, monkeypatch):
    """Only the page of learner rows (at most `LEARNERS_PER_PAGE`) costs per learner: the access
    log asks the gate once for each person listed. With the page full both times, the figures
    must cost the same, whatever the number of learners."""
    threshold(2)
    monkeypatch.setattr("coursekeeper.learning.insight.LEARNERS_PER_PAGE", 5)

    assert _queries_for_page(instructor, 10) == _queries_for_page(instructor, 60)
