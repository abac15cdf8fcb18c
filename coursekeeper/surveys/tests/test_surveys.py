"""R6, R44: surveys in lessons, anonymous or named; answered once; results for big groups only."""

from __future__ import annotations

import html
import logging
import secrets

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.learning.models import LessonProgress
from coursekeeper.privacy import policy
from coursekeeper.privacy.factories import (
    AuthenticatorFactory,
    ObjectionFactory,
    RestrictionFactory,
)
from coursekeeper.privacy.models import ProviderSettings, StaffAccess
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import erase_person, export_person
from coursekeeper.security.services import course_pseudonym
from coursekeeper.stats.models import PageViewCount
from coursekeeper.surveys import services
from coursekeeper.surveys.errors import SurveyError
from coursekeeper.surveys.factories import full_answers, survey_with_every_kind
from coursekeeper.surveys.models import (
    AnonymousAnswer,
    AnonymousResponse,
    NamedAnswer,
    NamedResponse,
    SurveyQuestion,
)
from coursekeeper.surveys.privacy import ANONYMOUS_NO_LINK

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def enrolled_learner(survey):
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=survey.lesson.module.course)
    return learner


def form_data(survey, *, text: str = "Good course.") -> dict[str, object]:
    data: dict[str, object] = {}
    for question_id, value in full_answers(survey, text=text).items():
        data[f"q{question_id}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def everything_stored() -> tuple:
    return (
        list(AnonymousResponse.objects.values_list("pk", flat=True)),
        list(AnonymousAnswer.objects.values_list("pk", flat=True)),
        list(NamedResponse.objects.values_list("pk", "submitted_at")),
        list(NamedAnswer.objects.values_list("pk", flat=True)),
        list(LessonProgress.objects.values_list("pk", "completed_at", "updated_at")),
    )


# --- Anonymous answers ----------------------------------------------------------------------------


def test_r6_anonymous_answers_are_stored_and_the_lesson_shows_as_answered(
    django_capture_on_commit_callbacks,
):
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    client = client_for(learner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:answer", args=[survey.lesson_id]), form_data(survey)
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:lesson", args=[survey.lesson_id])
    assert AnonymousResponse.objects.filter(survey=survey).count() == 1
    # A scale, one choice, two of several choices, a text.
    assert AnonymousAnswer.objects.filter(response__survey=survey).count() == 5
    assert NamedResponse.objects.count() == 0
    assert LessonProgress.objects.get(learner=learner, lesson=survey.lesson).completed_at
    page = client.get(reverse("learning:lesson", args=[survey.lesson_id])).content.decode()
    assert "You cannot answer it again." in page
    assert 'action="{}"'.format(reverse("surveys:answer", args=[survey.lesson_id])) not in page


def test_r6_an_anonymous_response_has_no_column_or_value_linking_it_to_the_learner(
    django_capture_on_commit_callbacks, caplog
):
    survey = survey_with_every_kind()
    token = secrets.token_hex(6)
    learner = UserFactory(full_name=f"Learner {token}", email=f"learner-{token}@example.org")
    EnrollmentFactory(learner=learner, course=survey.lesson.module.course)
    answer_text = f"opinion-{secrets.token_hex(6)}"

    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(learner).post(
            reverse("surveys:answer", args=[survey.lesson_id]), form_data(survey, text=answer_text)
        )

    # The models: a random key, the survey, the answers; no person, no time, no sequence.
    assert {f.name for f in AnonymousResponse._meta.concrete_fields} == {"id", "survey"}
    assert {f.name for f in AnonymousAnswer._meta.concrete_fields} == {
        "id",
        "response",
        "question",
        "option",
        "scale",
        "text",
    }
    assert AnonymousResponse._meta.pk.get_internal_type() == "UUIDField"
    assert AnonymousAnswer._meta.pk.get_internal_type() == "UUIDField"
    # The tables: no key leads to the accounts, and no row holds the person's identifiers.
    user_table = learner._meta.db_table
    identifiers = [learner.email, token, learner.full_name, course_pseudonym(1, learner.pk)]
    with connection.cursor() as cursor:
        for model in (AnonymousResponse, AnonymousAnswer):
            table = model._meta.db_table
            relations = connection.introspection.get_relations(cursor, table)
            assert user_table not in {target for _column, target in relations.values()}
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            assert rows
            for row in rows:
                raw = " ".join(str(value) for value in row)
                assert [i for i in identifiers if i in raw] == []
    stored = AnonymousAnswer.objects.get(text=answer_text)
    # Nothing logged links the person with the answers: neither the answer nor its key.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert answer_text not in logged
    assert str(stored.response_id) not in logged
    # The POST is not a counted page view.
    assert not PageViewCount.objects.filter(route="surveys:answer").exists()


def test_r6_a_second_answer_is_refused_and_changes_nothing(django_capture_on_commit_callbacks):
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    client = client_for(learner)
    url = reverse("surveys:answer", args=[survey.lesson_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form_data(survey))
    before = everything_stored()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(survey, text="Again"))

    assert response.status_code == 409
    assert "You have already answered this survey." in response.content.decode()
    assert everything_stored() == before


def test_r6_a_missing_required_answer_is_announced_and_nothing_is_saved():
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    scale = survey.questions.get(kind=SurveyQuestion.Kind.SCALE)
    data = form_data(survey)
    del data[f"q{scale.pk}"]
    before = everything_stored()

    response = client_for(learner).post(reverse("surveys:answer", args=[survey.lesson_id]), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert f'<div class="field-errors" id="q{scale.pk}_error" role="alert">' in page
    assert f'aria-describedby="q{scale.pk}_error"' in page
    assert "Please answer this question." in page
    assert everything_stored() == before


def test_r6_a_foreign_choice_is_refused_and_nothing_is_saved():
    survey = survey_with_every_kind()
    other = survey_with_every_kind()
    learner = enrolled_learner(survey)
    single = survey.questions.get(kind=SurveyQuestion.Kind.SINGLE)
    foreign = other.questions.get(kind=SurveyQuestion.Kind.SINGLE).options.all()[0]
    answers = full_answers(survey)
    answers[single.pk] = foreign.pk
    before = everything_stored()

    with pytest.raises(SurveyError) as refused:
        services.answer_survey(learner=learner, lesson=survey.lesson, answers=answers)

    assert refused.value.code == "bad_answer"
    assert everything_stored() == before


def test_r6_a_restricted_learner_is_refused_on_an_anonymous_survey_and_nothing_is_stored():
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    RestrictionFactory(user=learner)
    before = everything_stored()

    with pytest.raises(SurveyError) as refused:
        services.answer_survey(learner=learner, lesson=survey.lesson, answers=full_answers(survey))

    assert refused.value.code == "processing_refused"
    assert everything_stored() == before


def test_r6_an_objection_to_course_feedback_leaves_anonymous_surveys_alone(
    django_capture_on_commit_callbacks,
):
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    ObjectionFactory(user=learner, purpose="course_feedback")

    with django_capture_on_commit_callbacks(execute=True):
        services.answer_survey(learner=learner, lesson=survey.lesson, answers=full_answers(survey))

    assert AnonymousResponse.objects.filter(survey=survey).count() == 1


def test_r6_a_learner_not_enrolled_is_refused_and_nothing_is_stored():
    survey = survey_with_every_kind()
    stranger = UserFactory()
    before = everything_stored()

    response = client_for(stranger).post(
        reverse("surveys:answer", args=[survey.lesson_id]), form_data(survey)
    )

    assert response.status_code == 403
    assert everything_stored() == before


# --- Named answers ---------------------------------------------------------------------------------


def test_r6_named_answers_are_kept_with_the_learner_exported_and_erased_with_them():
    survey = survey_with_every_kind(is_anonymous=False)
    learner = enrolled_learner(survey)
    text = f"named-{secrets.token_hex(6)}"

    services.answer_survey(
        learner=learner, lesson=survey.lesson, answers=full_answers(survey, text=text)
    )

    response = NamedResponse.objects.get(learner=learner, survey=survey)
    assert response.answers.count() == 5
    assert AnonymousResponse.objects.count() == 0
    copy = export_person(Person.for_user(learner))
    assert len(copy["surveys.NamedResponse"]) == 1
    assert [row["text"] for row in copy["surveys.NamedAnswer"] if row["text"]] == [text]

    erase_person(Person.for_user(learner))

    assert NamedResponse.objects.count() == 0
    assert NamedAnswer.objects.count() == 0


def test_r6_a_second_named_answer_is_refused_and_changes_nothing():
    survey = survey_with_every_kind(is_anonymous=False)
    learner = enrolled_learner(survey)
    services.answer_survey(learner=learner, lesson=survey.lesson, answers=full_answers(survey))
    before = everything_stored()

    response = client_for(learner).post(
        reverse("surveys:answer", args=[survey.lesson_id]), form_data(survey, text="Again")
    )

    assert response.status_code == 409
    assert everything_stored() == before


def test_r6_a_restricted_learners_named_answers_are_refused_and_nothing_is_stored():
    survey = survey_with_every_kind(is_anonymous=False)
    learner = enrolled_learner(survey)
    RestrictionFactory(user=learner)
    before = everything_stored()

    with pytest.raises(SurveyError) as refused:
        services.answer_survey(learner=learner, lesson=survey.lesson, answers=full_answers(survey))

    assert refused.value.code == "answers_restricted"
    assert everything_stored() == before


# --- The notice beside the form, and the policy (R44, R41) ----------------------------------------


def test_r44_the_notice_beside_an_anonymous_survey_says_no_link_is_stored():
    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)

    page = client_for(learner).get(reverse("learning:lesson", args=[survey.lesson_id]))

    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert "This survey is anonymous" in text
    assert "Your answers are stored with no link to you" in text
    assert "not in our logs either" in text
    assert text.index('class="privacy-notice survey-notice"') < text.index("Send my answers")


def test_r44_the_notice_beside_a_named_survey_says_the_instructor_sees_a_pseudonym():
    survey = survey_with_every_kind(is_anonymous=False)
    learner = enrolled_learner(survey)

    page = client_for(learner).get(reverse("learning:lesson", args=[survey.lesson_id]))

    text = html.unescape(page.content.decode())
    assert "This survey is named" in text
    assert "Your instructor sees them under a pseudonym, never your name" in text
    assert 'class="privacy-notice"' in text
    assert reverse("privacy:policy") in text


def test_r6_r41_the_policy_says_anonymous_surveys_store_no_link_to_the_person():
    text = html.unescape(policy.render_policy(policy.current_content(), "en"))

    assert str(ANONYMOUS_NO_LINK) in text
    assert "Anonymous surveys store no link to the person who answered" in text


# --- The instructor's side --------------------------------------------------------------------------


@pytest.fixture
def instructor():
    person = StaffFactory(role=Role.INSTRUCTOR, is_staff=False)
    AuthenticatorFactory(user=person)
    return person


def answered_by(survey, count: int, *, text: str = "Fine.") -> list:
    learners = []
    for _index in range(count):
        learner = enrolled_learner(survey)
        answers = full_answers(survey, text=text)
        services.answer_survey(learner=learner, lesson=survey.lesson, answers=answers)
        learners.append(learner)
    return learners


def test_r6_the_instructor_builds_a_survey_and_its_questions(instructor):
    from coursekeeper.surveys.factories import SurveyLessonFactory

    lesson = SurveyLessonFactory(module__course__instructor=instructor)
    course = lesson.module.course
    client = client_for(instructor)
    url = reverse("surveys:edit", args=[course.slug, lesson.pk])

    client.post(url, {"form": "settings", "intro": "Tell us.", "is_anonymous": ""})
    response = client.post(
        url,
        {"form": "question", "kind": "single", "text": "Which?", "required": "on",
         "options": "Yes\nNo\n"},
    )  # fmt: skip

    assert response.status_code == 302
    survey = lesson.survey
    assert (survey.is_anonymous, survey.intro) == (False, "Tell us.")
    question = survey.questions.get()
    assert (question.kind, question.text, question.required) == ("single", "Which?", True)
    assert list(question.options.values_list("text", flat=True)) == ["Yes", "No"]
    edit_page = client.get(reverse("learning:editor_edit_lesson", args=[course.slug, lesson.pk]))
    assert url in edit_page.content.decode()


def test_r6_another_instructors_survey_is_refused_and_nothing_changes(instructor):
    survey = survey_with_every_kind()
    course = survey.lesson.module.course
    before = list(survey.questions.values_list("pk", "text"))

    response = client_for(instructor).post(
        reverse("surveys:edit", args=[course.slug, survey.lesson_id]),
        {"form": "question", "kind": "text", "text": "Mine?"},
    )

    assert response.status_code == 403
    assert list(survey.questions.values_list("pk", "text")) == before


def test_r6_an_answered_survey_cannot_change_anonymity(
    instructor, django_capture_on_commit_callbacks
):
    survey = survey_with_every_kind(lesson=None)
    survey.lesson.module.course.instructor = instructor
    survey.lesson.module.course.save()
    with django_capture_on_commit_callbacks(execute=True):
        answered_by(survey, 1)

    with pytest.raises(SurveyError) as refused:
        services.save_survey(
            acting_user=instructor, lesson=survey.lesson, is_anonymous=False, intro=""
        )

    assert refused.value.code == "survey_has_answers"
    survey.refresh_from_db()
    assert survey.is_anonymous is True


def test_r6_results_hide_every_figure_while_fewer_than_the_smallest_group_answered(
    instructor, django_capture_on_commit_callbacks
):
    survey = survey_with_every_kind()
    course = survey.lesson.module.course
    course.instructor = instructor
    course.save()
    with django_capture_on_commit_callbacks(execute=True):
        answered_by(survey, 4, text="secret-few")

    page = client_for(instructor).get(
        reverse("surveys:results", args=[course.slug, survey.lesson_id])
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Fewer than 5 people have answered, so no results are shown yet." in text
    assert "secret-few" not in text
    assert "<svg" not in text


def test_r6_results_show_big_groups_and_hide_small_ones_with_a_chart_and_a_table(
    instructor, django_capture_on_commit_callbacks
):
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 3})
    survey = survey_with_every_kind()
    course = survey.lesson.module.course
    course.instructor = instructor
    course.save()
    several = survey.questions.get(kind=SurveyQuestion.Kind.MULTIPLE)
    with django_capture_on_commit_callbacks(execute=True):
        answered_by(survey, 3, text="all-good")
        # One more learner picks only the third choice: a group of one, hidden.
        loner = enrolled_learner(survey)
        answers = full_answers(survey, text="loner-text")
        answers[several.pk] = [several.options.get(text="Exercises").pk]
        services.answer_survey(learner=loner, lesson=survey.lesson, answers=answers)

    page = client_for(instructor).get(
        reverse("surveys:results", args=[course.slug, survey.lesson_id])
    )

    text = html.unescape(page.content.decode())
    assert "4 people answered." in text
    assert '<svg class="bar-chart"' in text
    assert "<td>5 (Very much)</td><td>0</td>" in text  # nobody: shown as 0
    assert "<td>4</td><td>4</td>" in text  # four chose 4 on the scale
    assert "<td>Exercises</td><td>fewer than 3</td>" in text  # one person: hidden
    assert "<td>Videos</td><td>3</td>" in text
    assert text.count("all-good") == 3 and "loner-text" in text
    assert StaffAccess.objects.count() == 0  # anonymous: about nobody


def test_r6_named_free_text_shows_under_the_course_pseudonym_and_is_access_logged(instructor):
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 2})
    survey = survey_with_every_kind(is_anonymous=False)
    course = survey.lesson.module.course
    course.instructor = instructor
    course.save()
    learners = answered_by(survey, 2, text="named-view")

    page = client_for(instructor).get(
        reverse("surveys:results", args=[course.slug, survey.lesson_id])
    )

    text = page.content.decode()
    for learner in learners:
        assert course_pseudonym(course.pk, learner.pk) in text
        assert learner.email not in text and learner.full_name not in text
    logged = StaffAccess.objects.filter(staff=instructor, place="surveys:results")
    assert sorted(logged.values_list("user_id", flat=True)) == sorted(p.pk for p in learners)


def test_r6_a_database_failure_after_the_completion_loses_the_answers_and_logs_nothing_of_them(
    django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from django.db import DatabaseError

    survey = survey_with_every_kind()
    learner = enrolled_learner(survey)
    answer_text = f"lost-{secrets.token_hex(6)}"

    def refuse(**kwargs):
        raise DatabaseError(f"row contains {kwargs['rows']}")

    monkeypatch.setattr(services, "_store_anonymous", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_survey(
            learner=learner, lesson=survey.lesson, answers=full_answers(survey, text=answer_text)
        )

    assert AnonymousResponse.objects.count() == 0
    assert LessonProgress.objects.get(learner=learner, lesson=survey.lesson).completed_at
    errors = [r for r in caplog.records if r.name == "coursekeeper.surveys.services"]
    assert [r.getMessage() for r in errors] == [
        "anonymous survey answers not stored: database error"
    ]
    assert all(answer_text not in r.getMessage() and not r.exc_info for r in caplog.records)
