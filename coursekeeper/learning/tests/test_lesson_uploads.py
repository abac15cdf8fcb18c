"""Lesson files are checked by their content at upload and served so they cannot run (R4, R38).

The hole this closes: an instructor uploaded `helper.js` and `notes.html` (with a `<script src>`
pointing at the first) as lessons; the editor stored the type the browser claimed, and a learner
opening the second lesson's media got `text/html` inline, which ran the script in their session.
"""

from __future__ import annotations

import html
import importlib
import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.learning.factories import (
    EnrollmentFactory,
    LessonFactory,
    MaterialRequestFactory,
    ModuleFactory,
    VideoLessonFactory,
)
from coursekeeper.learning.management.commands.seed_courses import INSTRUCTOR_EMAIL
from coursekeeper.learning.models import Lesson
from coursekeeper.learning.tests.test_editor import instructor_client
from coursekeeper.web.tests import samples

pytestmark = pytest.mark.django_db(transaction=True)

FILE_CSP = "sandbox; default-src 'none'"
PLAYER_CSP = "sandbox allow-same-origin; default-src 'none'; media-src 'self'"
NOT_ALLOWED = (
    "This kind of file cannot be uploaded. Allowed are: "
    "videos (.mp4, .m4v, .webm, .ogv, .ogg), audio (.mp3, .m4a, .aac, .ogg, .oga, .opus, "
    ".wav), documents (.pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt), "
    "images (.png, .jpg, .jpeg, .gif, .webp), archives (.zip), plain text (.txt, .csv)."
)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def teaching(media_root):
    """An instructor signed in (password and TOTP code) and a module of their course."""
    instructor, client = instructor_client()
    module = ModuleFactory(course__instructor=instructor)
    return client, module


def stored_files(media_root) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


def post_lesson(client, module, *, kind: str, name: str, content: bytes, claimed: str):
    """Post the editor's new-lesson form; `claimed` is the Content-Type the browser sends."""
    fields = {"module": module.pk, "title": f"Lesson {name}", "kind": kind, "position": 1}
    if kind == "video":
        fields["duration_seconds"] = 24
    fields["media"] = SimpleUploadedFile(name, content, claimed)
    return client.post(reverse("learning:editor_new_lesson", args=[module.course.slug]), fields)


def signed_in(person) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    return client


def enrolled_learner(lesson) -> Client:
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=lesson.module.course)
    return signed_in(learner)


def served(response) -> bytes:
    body = b"".join(response.streaming_content)
    response.close()
    return body


ACCEPTED = [
    ("video", "welcome.mp4", samples.DEMO_VIDEO.read_bytes(), "video/mp4"),
    ("video", "clip.webm", samples.webm(), "video/webm"),
    ("video", "talk.mp3", samples.mp3(), "audio/mpeg"),  # the player plays sound alone too
    ("file", "course-handbook.pdf", samples.DEMO_HANDBOOK.read_bytes(), "application/pdf"),
    ("file", "chart.png", samples.image("PNG"), "image/png"),
    ("file", "photo.jpg", samples.image("JPEG"), "image/jpeg"),
    (
        "file",
        "notes.docx",
        samples.ooxml("docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("file", "exercises.zip", samples.ZIP, "application/zip"),
]


@pytest.mark.parametrize(
    ("kind", "name", "content", "media_type"), ACCEPTED, ids=[a[1] for a in ACCEPTED]
)
def test_r4_an_allowed_file_is_saved_with_the_type_its_content_has(
    teaching, kind, name, content, media_type
):
    client, module = teaching

    # The browser's claim is ignored: the type comes from the bytes.
    response = post_lesson(
        client, module, kind=kind, name=name, content=content, claimed="text/html"
    )

    assert response.status_code == 302
    lesson = Lesson.objects.get(module=module)
    assert (lesson.kind, lesson.media_type) == (kind, media_type)
    with lesson.media.open("rb") as saved:
        assert saved.read() == content


REFUSED = [
    ("file", "drawing.svg", samples.SVG_WITH_SCRIPT, "image/svg+xml", NOT_ALLOWED),
    ("file", "notes.html", samples.html_loading("/lessons/1/media/"), "text/html", NOT_ALLOWED),
    ("file", "helper.js", samples.HELPER_JS, "application/javascript", NOT_ALLOWED),
    ("video", "movie.mp4", samples.html_loading("/lessons/1/media/"), "video/mp4", NOT_ALLOWED),
    (
        "file",
        "handbook.pdf",
        samples.image("PNG"),
        "application/pdf",
        "The file's name “handbook.pdf” does not match its content, which is: PNG image. "
        "Upload the file you meant, or give it a name that matches what it is.",
    ),
    ("file", "empty.pdf", b"", "application/pdf", "The submitted file is empty."),
]


@pytest.mark.parametrize(
    ("kind", "name", "content", "claimed", "message"), REFUSED, ids=[r[1] for r in REFUSED]
)
def test_r38_a_dangerous_or_misnamed_file_is_refused_and_nothing_is_saved(
    teaching, media_root, kind, name, content, claimed, message
):
    client, module = teaching

    response = post_lesson(client, module, kind=kind, name=name, content=content, claimed=claimed)

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == [message]
    assert message in html.unescape(response.content.decode())
    assert Lesson.objects.count() == 0
    assert stored_files(media_root) == []


def test_r4_a_video_lesson_refuses_a_file_that_does_not_play(teaching, media_root):
    client, module = teaching

    response = post_lesson(
        client,
        module,
        kind="video",
        name="course-handbook.pdf",
        content=samples.DEMO_HANDBOOK.read_bytes(),
        claimed="video/mp4",
    )

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == [
        "A video lesson needs a video or audio file. Allowed are: "
        ".mp4, .m4v, .webm, .ogv, .ogg, .mp3, .m4a, .aac, .oga, .opus, .wav."
    ]
    assert Lesson.objects.count() == 0
    assert stored_files(media_root) == []


def test_r4_an_edit_without_a_new_file_keeps_the_checked_type_and_the_kind_must_still_fit(teaching):
    client, module = teaching
    post_lesson(
        client,
        module,
        kind="file",
        name="course-handbook.pdf",
        content=samples.DEMO_HANDBOOK.read_bytes(),
        claimed="application/pdf",
    )
    lesson = Lesson.objects.get()
    url = reverse("learning:editor_edit_lesson", args=[module.course.slug, lesson.pk])
    fields = {"module": module.pk, "kind": "file", "position": 1, "duration_seconds": 60}

    renamed = client.post(url, {**fields, "title": "Handbook"})
    to_video = client.post(url, {**fields, "title": "Handbook as a video", "kind": "video"})

    assert renamed.status_code == 302
    assert to_video.status_code == 400
    assert (
        to_video.context["form"]
        .errors["media"][0]
        .startswith("A video lesson needs a video or audio file.")
    )
    lesson.refresh_from_db()
    assert (lesson.title, lesson.kind, lesson.media_type) == ("Handbook", "file", "application/pdf")


def test_r38_a_video_is_served_inline_but_sandboxed_through_the_whole_middleware(media_root):
    """django-csp leaves the file response's own policy alone; pages keep the site's policy."""
    video = VideoLessonFactory(media=ContentFile(samples.mp4(), "clip.mp4"))
    client = enrolled_learner(video)

    response = client.get(reverse("learning:lesson_media", args=[video.pk]))
    page = client.get(reverse("learning:lesson", args=[video.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"] == f'inline; filename="{video.media.name[8:]}"'
    assert response["Content-Security-Policy"] == PLAYER_CSP
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert served(response) == samples.mp4()
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert "sandbox" not in page["Content-Security-Policy"]


def test_r38_an_old_html_lesson_file_is_downloaded_sandboxed_never_rendered(media_root):
    """A row written before the check (the hole's `notes.html`) can no longer run in the page."""
    notes = LessonFactory(
        kind="text",
        media=ContentFile(samples.html_loading("/lessons/1/media/"), "notes.html"),
        media_type="text/html",
    )
    client = enrolled_learner(notes)

    response = client.get(reverse("learning:lesson_media", args=[notes.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{notes.media.name[8:]}"'
    assert response["Content-Security-Policy"] == FILE_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    served(response)


def test_r38_a_file_without_a_checked_type_is_served_as_unknown_bytes(media_root):
    """No type is guessed from the name: an unchecked `notes.html` is not "text/html"."""
    notes = LessonFactory(
        kind="text", media=ContentFile(samples.html_loading("/x.js"), "notes.html"), media_type=""
    )

    response = enrolled_learner(notes).get(reverse("learning:lesson_media", args=[notes.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    served(response)


def test_r38_the_free_material_link_serves_with_the_same_protection(media_root):
    material = MaterialRequestFactory(
        lesson=LessonFactory(
            kind="file",
            is_free_sample=True,
            media=ContentFile(samples.DEMO_HANDBOOK.read_bytes(), "handbook.pdf"),
            media_type="application/pdf",
        )
    )
    legacy = MaterialRequestFactory(
        lesson=LessonFactory(
            kind="text",
            is_free_sample=True,
            media=ContentFile(samples.SVG_WITH_SCRIPT, "drawing.svg"),
            media_type="image/svg+xml",
        )
    )

    handbook = Client().get(reverse("learning:material_download", args=[material.token]))
    drawing = Client().get(reverse("learning:material_download", args=[legacy.token]))

    assert handbook.status_code == 200
    assert handbook["Content-Type"] == "application/pdf"
    assert handbook["Content-Disposition"] == 'attachment; filename="handbook.pdf"'
    assert drawing["Content-Type"] == "image/svg+xml"
    assert drawing["Content-Disposition"] == 'attachment; filename="drawing.svg"'
    for response in (handbook, drawing):
        assert response["Content-Security-Policy"] == FILE_CSP
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        served(response)


def test_r38_the_migration_rechecks_stored_files_and_distrusts_what_fails(media_root):
    recheck = importlib.import_module(
        "coursekeeper.learning.migrations.0004_recheck_lesson_media"
    ).recheck_lesson_media
    html_as_video = VideoLessonFactory(
        media=ContentFile(samples.html_loading("/lessons/1/media/"), "notes.mp4"),
        media_type="video/mp4",
    )
    real_video = VideoLessonFactory(
        media=ContentFile(samples.DEMO_VIDEO.read_bytes(), "welcome.mp4"),
        media_type="video/quicktime",
    )
    handbook = LessonFactory(
        kind="file",
        media=ContentFile(samples.DEMO_HANDBOOK.read_bytes(), "handbook.pdf"),
        media_type="application/pdf",
    )
    missing = VideoLessonFactory(media_type="video/mp4")
    missing.media.storage.delete(missing.media.name)
    text = LessonFactory(kind="text")

    recheck(apps, None)
    recheck(apps, None)  # a rerun changes nothing

    assert {
        lesson.pk: (lesson.media_type, bool(lesson.media))
        for lesson in Lesson.objects.order_by("pk")
    } == {
        html_as_video.pk: ("application/octet-stream", True),  # the file is kept
        real_video.pk: ("video/mp4", True),
        handbook.pk: ("application/pdf", True),
        missing.pk: ("application/octet-stream", True),
        text.pk: ("", False),
    }
    with Lesson.objects.get(pk=html_as_video.pk).media.open("rb") as kept:
        assert kept.read() == samples.html_loading("/lessons/1/media/")


def test_r4_the_demo_school_is_seeded_with_the_checked_types(media_root):
    UserFactory(email=INSTRUCTOR_EMAIL, role="instructor")

    call_command("seed_courses", stdout=io.StringIO())

    assert set(Lesson.objects.exclude(media="").values_list("kind", "media_type").distinct()) == {
        ("video", "video/mp4"),
        ("file", "application/pdf"),
    }
