"""The course editor (R4): instructors build courses in any of the three languages."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.tests.test_login import current_code
from coursekeeper.learning.factories import CourseFactory, ModuleFactory
from coursekeeper.learning.models import Course, Lesson, Module
from coursekeeper.privacy.testing import audit_trail

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def instructor_client(**kwargs):
    instructor = UserFactory(role="instructor", **kwargs)
    TOTP.activate(instructor, SECRET)
    client = Client()
    client.post(reverse("account_login"), {"login": instructor.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_code(SECRET)})
    return instructor, client


def test_r4_an_instructor_builds_a_course_in_danish_with_a_module_and_a_video_lesson():
    instructor, client = instructor_client(language="da")

    response = client.post(
        reverse("learning:editor_new_course"),
        {
            "title": "Regnskab for begyndere",
            "slug": "regnskab-for-begyndere",
            "summary": "Bilag, fakturaer og årsafslutning.",
            "description": "Et praktisk kursus.",
            "language": "da",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get(slug="regnskab-for-begyndere")
    assert (course.instructor, course.language, course.is_published) == (instructor, "da", True)
    assert [
        c.title
        for c in Client().get(reverse("learning:catalogue"), {"q": "fakturaer"}).context["courses"]
    ] == ["Regnskab for begyndere"]

    client.post(
        reverse("learning:editor_new_module", args=[course.slug]), {"title": "Bilag", "position": 1}
    )
    module = Module.objects.get(course=course)
    upload = SimpleUploadedFile(
        "intro.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4"
    )
    response = client.post(
        reverse("learning:editor_new_lesson", args=[course.slug]),
        {
            "module": module.pk,
            "title": "Velkommen",
            "kind": "video",
            "body": "Se videoen.",
            "media": upload,
            "duration_seconds": 30,
            "position": 1,
        },
    )

    assert response.status_code == 302
    lesson = Lesson.objects.get(module=module)
    assert (lesson.kind, lesson.media_type, lesson.duration_seconds) == ("video", "video/mp4", 30)
    assert lesson.media.read().startswith(b"\x00\x00\x00\x18ftyp")


def test_r4_a_video_lesson_without_its_file_is_refused_and_nothing_is_saved():
    instructor, client = instructor_client()
    module = ModuleFactory(course=CourseFactory(instructor=instructor))

    response = client.post(
        reverse("learning:editor_new_lesson", args=[module.course.slug]),
        {"module": module.pk, "title": "Missing", "kind": "video", "position": 1},
    )

    assert response.status_code == 400
    assert "A video or file lesson needs its file." in response.content.decode()
    assert Lesson.objects.count() == 0


def test_r4_an_instructor_cannot_change_someone_elses_course():
    _instructor, client = instructor_client()
    other = CourseFactory(title="Not mine")

    response = client.post(
        reverse("learning:editor_edit_course", args=[other.slug]),
        {"title": "Mine now", "slug": other.slug, "summary": "x", "language": "en"},
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title == "Not mine"


def test_r4_a_learner_has_no_course_editor():
    learner = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    assert client.get(reverse("learning:editor_courses")).status_code == 403
    assert client.post(reverse("learning:editor_new_course"), {"title": "x"}).status_code == 403
    assert Course.objects.count() == 0


def test_r35_publishing_and_unpublishing_a_course_are_audited_other_edits_and_refusals_not():
    instructor, client = instructor_client()
    other = CourseFactory(title="Not mine", is_published=False)
    fields = {
        "title": "Bogføring",
        "slug": "bogforing",
        "summary": "Bilag.",
        "language": "da",
        "is_published": "on",
    }

    created = client.post(reverse("learning:editor_new_course"), fields)
    edit = reverse("learning:editor_edit_course", args=["bogforing"])
    edited = client.post(edit, {**fields, "summary": "Bilag og fakturaer."})
    unpublished = client.post(edit, {k: v for k, v in fields.items() if k != "is_published"})
    refused = client.post(
        reverse("learning:editor_edit_course", args=[other.slug]),
        {**fields, "slug": other.slug},
    )

    assert [created.status_code, edited.status_code, unpublished.status_code] == [302, 302, 302]
    assert refused.status_code == 403
    assert "Only the course&#x27;s instructor may change it." in refused.content.decode()
    other.refresh_from_db()
    assert (other.title, other.is_published) == ("Not mine", False)
    course = Course.objects.get(slug="bogforing")
    assert audit_trail() == [
        (instructor.pk, "course", str(course.pk), "Course published"),
        (instructor.pk, "course", str(course.pk), "Course taken out of the catalogue"),
    ]
