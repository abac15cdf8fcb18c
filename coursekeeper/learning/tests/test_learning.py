"""Courses, drip release, protected media, progress and the dashboard (R4, R5)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    TopicFactory,
    VideoLessonFactory,
)
from coursekeeper.learning.models import Enrollment, LessonProgress, MaterialRequest
from coursekeeper.messaging.models import OutboxMessage

if TYPE_CHECKING:
    # The test client's response, as the stubs name it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(person) -> Client:
    client = Client()
    assert (
        client.post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def post_progress(client: Client, payload) -> TestResponse:
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(reverse("learning:save_progress"), body, content_type="application/json")


def titles(response) -> list[str]:
    return [course.title for course in response.context["courses"]]


def test_r4_catalogue_searches_the_full_text_and_filters_topic_and_language():
    finance = TopicFactory(slug="finance", name="Finance")
    CourseFactory(
        title="Bookkeeping basics", summary="Receipts and invoices", language="en"
    ).topics.add(finance)
    CourseFactory(title="Projektledelse", summary="Mål og milepæle", language="da")
    CourseFactory(title="Hidden draft", summary="invoices", is_published=False)
    client = Client()

    assert titles(client.get(reverse("learning:catalogue"), {"q": "invoice"})) == [
        "Bookkeeping basics"
    ]
    assert titles(client.get(reverse("learning:catalogue"), {"q": "milepæle"})) == [
        "Projektledelse"
    ]
    assert titles(client.get(reverse("learning:catalogue"), {"topic": "finance"})) == [
        "Bookkeeping basics"
    ]
    assert titles(client.get(reverse("learning:catalogue"), {"language": "da"})) == [
        "Projektledelse"
    ]
    assert titles(client.get(reverse("learning:catalogue"), {"q": '") OR 1=1 --'})) == []


def test_r4_enrolling_is_free_and_happens_once():
    course = CourseFactory()
    learner = UserFactory()
    client = signed_in(learner)

    client.post(reverse("learning:enroll", args=[course.slug]))
    response = client.post(reverse("learning:enroll", args=[course.slug]))

    assert response.status_code == 302
    assert Enrollment.objects.filter(learner=learner, course=course).count() == 1


def test_r4_an_unpublished_course_cannot_be_seen_or_joined():
    course = CourseFactory(is_published=False)
    client = signed_in(UserFactory())

    assert client.get(reverse("learning:course", args=[course.slug])).status_code == 404
    assert client.post(reverse("learning:enroll", args=[course.slug])).status_code == 404
    assert Enrollment.objects.count() == 0


def test_r4_drip_lessons_open_n_days_after_enrolment_or_on_a_date():
    module = ModuleFactory()
    first = LessonFactory(module=module)
    later = LessonFactory(module=module, release_after_days=7)
    dated = LessonFactory(module=module, release_on=dt.date(2030, 1, 1))
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=module.course)
    client = signed_in(learner)

    assert client.get(reverse("learning:lesson", args=[first.pk])).status_code == 200
    refused = client.get(reverse("learning:lesson", args=[later.pk]))
    assert refused.status_code == 403
    assert "This lesson has not opened yet." in refused.content.decode()
    assert client.get(reverse("learning:lesson", args=[dated.pk])).status_code == 403
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert (
            signed_in(learner).get(reverse("learning:lesson", args=[later.pk])).status_code == 200
        )


def test_r5_progress_saves_the_second_and_the_lesson_page_resumes_there():
    video = VideoLessonFactory(duration_seconds=120)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)
    client = signed_in(learner)

    assert post_progress(client, {"lesson": video.pk, "position_seconds": 42.5}).status_code == 204
    assert post_progress(client, {"lesson": video.pk, "position_seconds": 57.3}).status_code == 204

    progress = LessonProgress.objects.get(learner=learner, lesson=video)
    assert (progress.position_seconds, progress.completed_at) == (57.3, None)
    page = client.get(reverse("learning:lesson", args=[video.pk])).content.decode()
    assert 'data-start-position="57.3"' in page
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert "Continue where you left off" in dashboard
    assert "at second 57" in dashboard


@pytest.mark.parametrize(
    "payload",
    [
        {"lesson": "video", "position_seconds": -1},
        {"lesson": "video", "position_seconds": 500},
        {"lesson": "video", "position_seconds": "NaN"},
        {"lesson": "video"},
        "not json",
    ],
)
def test_r5_bad_positions_are_refused_and_change_nothing(payload):
    video = VideoLessonFactory(duration_seconds=120)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)
    client = signed_in(learner)
    post_progress(client, {"lesson": video.pk, "position_seconds": 10})
    if isinstance(payload, dict):
        payload = {**payload, "lesson": video.pk}

    response = post_progress(client, payload)

    assert response.status_code == 400
    assert "error" in response.json()
    assert LessonProgress.objects.get().position_seconds == 10


def test_r5_progress_for_a_course_not_joined_or_a_lesson_not_open_is_refused():
    video = VideoLessonFactory()
    closed = VideoLessonFactory(module=video.module, release_after_days=3)
    learner = UserFactory()
    client = signed_in(learner)

    assert post_progress(client, {"lesson": video.pk, "position_seconds": 5}).status_code == 403
    EnrollmentFactory(learner=learner, course=video.module.course)
    assert post_progress(client, {"lesson": closed.pk, "position_seconds": 5}).status_code == 403
    assert post_progress(client, {"lesson": 999999, "position_seconds": 5}).status_code == 404
    assert LessonProgress.objects.count() == 0


def test_r5_progress_needs_the_csrf_token():
    video = VideoLessonFactory()
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)
    client = Client(enforce_csrf_checks=True)
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    response = post_progress(client, {"lesson": video.pk, "position_seconds": 5})

    assert response.status_code == 403
    assert LessonProgress.objects.count() == 0


def test_r5_without_javascript_a_lesson_is_marked_done_and_the_bars_move():
    module = ModuleFactory()
    first, second = LessonFactory(module=module), LessonFactory(module=module)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=module.course)
    client = signed_in(learner)

    response = client.post(reverse("learning:complete", args=[first.pk]))

    assert response["Location"] == reverse("learning:lesson", args=[second.pk])
    page = client.get(reverse("learning:course", args=[module.course.slug])).content.decode()
    assert '<progress max="100" value="50"' in page
    client.post(reverse("learning:complete", args=[second.pk]))
    assert Enrollment.objects.get(learner=learner).completed_at is not None


def test_r5_media_is_served_only_to_enrolled_learners_with_range_requests():
    video = VideoLessonFactory()
    size = video.media.size
    learner = UserFactory()
    url = reverse("learning:lesson_media", args=[video.pk])

    assert Client().get(url).status_code == 302  # sign in first
    outsider = signed_in(UserFactory())
    assert outsider.get(url).status_code == 403
    EnrollmentFactory(learner=learner, course=video.module.course)
    client = signed_in(learner)

    partial = client.get(url, HTTP_RANGE="bytes=100-199")
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 100-199/{size}"
    assert isinstance(partial, StreamingHttpResponse)
    assert b"".join(partial.streaming_content) == video.media.open("rb").read()[100:200]
    assert client.get(url, HTTP_RANGE=f"bytes={size + 10}-").status_code == 416
    assert client.get(url + "x").status_code == 404


def test_r4_free_material_needs_only_a_name_and_an_email(smtp_server, token):
    lesson = LessonFactory(
        kind="file", is_free_sample=True, media=ContentFile(b"%PDF-1.4 handbook", "handbook.pdf")
    )
    client = Client()
    email = f"reader-{token}@example.org"

    bad = client.post(
        reverse("learning:free_material", args=[lesson.pk]), {"name": "", "email": "nope"}
    )
    assert bad.status_code == 400
    assert MaterialRequest.objects.count() == 0

    sent = client.post(
        reverse("learning:free_material", args=[lesson.pk]), {"name": "Rita", "email": email}
    )
    assert sent.status_code == 200
    (mail,) = smtp_server.wait_for(email)
    link = mail.text.split("http://testserver", 1)[1].split()[0]
    assert client.get(link).status_code == 200
    assert OutboxMessage.objects.get(email=email).template == "learning/material"
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert Client().get(link).status_code == 404


def test_r5_a_progress_save_after_an_idle_sign_out_gets_401_not_a_login_page():
    video = VideoLessonFactory(duration_seconds=120)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in(learner)
        assert client.get(reverse("learning:dashboard")).status_code == 200
        traveller.shift(dt.timedelta(days=8))

        response = post_progress(client, {"lesson": video.pk, "position_seconds": 5})

    assert response.status_code == 401
    assert response.json() == {"error": "You were signed out after a period of inactivity."}
    assert LessonProgress.objects.count() == 0


def test_r5_a_lesson_whose_file_went_missing_answers_404_not_500():
    video = VideoLessonFactory()
    video.media.storage.delete(video.media.name)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)

    response = signed_in(learner).get(reverse("learning:lesson_media", args=[video.pk]))

    assert response.status_code == 404
    assert "This lesson has no file." in response.content.decode()
