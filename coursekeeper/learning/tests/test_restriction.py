"""R30: while a learner's processing is restricted, their progress is not saved; the lessons
can still be watched, and the player is told why in the learner's language."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.factories import EnrollmentFactory, VideoLessonFactory
from coursekeeper.learning.models import Enrollment, LessonProgress

if TYPE_CHECKING:
    # The test client's response, as the stubs name it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def save(client: Client, lesson, seconds: float, **extra) -> TestResponse:
    body = json.dumps({"lesson": lesson.pk, "position_seconds": seconds, **extra})
    return client.post(reverse("learning:save_progress"), body, content_type="application/json")


@pytest.fixture
def learner_at_second_ten():
    video = VideoLessonFactory(duration_seconds=120)
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=video.module.course)
    client = Client()
    client.force_login(learner)
    assert save(client, video, 10).status_code == 204
    return learner, client, video


def test_r30_a_restricted_learners_place_is_not_saved_and_the_player_is_told_why(
    learner_at_second_ten,
):
    learner, client, video = learner_at_second_ten
    client.post(
        reverse("privacy:request_restriction"), {"restriction-details": "My progress is wrong."}
    )
    enrolment_before = Enrollment.objects.values().get(learner=learner)

    response = save(client, video, 42.5, completed=True)

    assert response.status_code == 403
    assert response.json() == {"error": LearningError("progress_restricted").message}
    assert "your progress is not saved" in response.json()["error"]
    progress = LessonProgress.objects.get(learner=learner, lesson=video)
    assert (progress.position_seconds, progress.completed_at) == (10, None)
    assert Enrollment.objects.values().get(learner=learner) == enrolment_before


def test_r30_a_restricted_learner_still_watches_the_lesson_but_cannot_mark_it_done(
    learner_at_second_ten,
):
    learner, client, video = learner_at_second_ten
    client.post(
        reverse("privacy:request_restriction"), {"restriction-details": "Keep my data as it is."}
    )

    page = client.get(reverse("learning:lesson", args=[video.pk]))
    media = client.get(reverse("learning:lesson_media", args=[video.pk]), HTTP_RANGE="bytes=0-9")
    done = client.post(reverse("learning:complete", args=[video.pk]))

    assert page.status_code == 200
    assert 'data-start-position="10.0"' in page.content.decode()
    assert media.status_code == 206
    assert done.status_code == 403
    assert LearningError("progress_restricted").message in done.content.decode()
    assert LessonProgress.objects.get(learner=learner, lesson=video).completed_at is None


def test_r30_saving_resumes_once_the_restriction_is_lifted(learner_at_second_ten):
    learner, client, video = learner_at_second_ten
    client.post(reverse("privacy:request_restriction"), {"restriction-details": ""})
    assert save(client, video, 20).status_code == 403

    client.post(reverse("privacy:lift_restriction"))

    assert save(client, video, 30).status_code == 204
    assert LessonProgress.objects.get(learner=learner, lesson=video).position_seconds == 30
