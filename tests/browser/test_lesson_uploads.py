"""R38 in Chromium: a lesson file cannot run script in a learner's session.

The hole: an instructor uploaded `helper.js`, then `notes.html` with `<script src>` pointing at
the first lesson's media; a learner opening the second lesson's media got the page inline, and
the site's own policy (`default-src 'self'`) let the uploaded script run.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import (
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    VideoLessonFactory,
)
from coursekeeper.learning.models import Lesson
from coursekeeper.learning.tests.test_editor import instructor_client
from coursekeeper.learning.tests.test_lesson_uploads import NOT_ALLOWED, signed_in
from coursekeeper.web.tests import samples
from tests.browser.test_account_journey import new_page

PAGE_TITLE = "Safe page"


def signed_in_page(browser, client, base_url: str) -> Page:
    """A browser page that carries the session of a test client already signed in."""
    page = new_page(browser)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return page


def pwned(page: Page) -> list:
    """What the uploaded scripts would have changed in the page they ran in."""
    return page.evaluate("() => [window.__pwned === undefined, document.title]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r38_dangerous_lesson_files_are_refused_and_old_ones_never_run(
    browser, live_server, tmp_path, token, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    instructor, teacher = instructor_client()
    module = ModuleFactory(course__instructor=instructor, course__title=f"Course {token}")
    course = module.course
    pages = []
    try:
        # 1. The instructor tries each dangerous file through the editor: each is refused.
        page = signed_in_page(browser, teacher, base)
        pages.append(page)
        dangerous = [
            ("helper.js", "application/javascript", samples.HELPER_JS),
            ("notes.html", "text/html", samples.html_loading("/lessons/1/media/")),
            ("drawing.svg", "image/svg+xml", samples.SVG_WITH_SCRIPT),
        ]
        for name, mime_type, content in dangerous:
            page.goto(base + reverse("learning:editor_new_lesson", args=[course.slug]))
            form = page.locator("main form")
            form.get_by_label("Module").select_option(str(module.pk))
            form.get_by_label("Title").fill(f"Lesson {name}")
            form.get_by_label("Kind").select_option("file")
            form.get_by_label("Video or file").set_input_files(
                {"name": name, "mimeType": mime_type, "buffer": content}
            )
            form.get_by_role("button", name="Save").click()

            expect(page.locator("ul#id_media_error")).to_have_text(NOT_ALLOWED)
            assert Lesson.objects.count() == 0, name
        assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))

        # 2. Rows written before the check, as an attacker's old upload left them.
        helper = LessonFactory(
            module=module,
            kind="file",
            media=ContentFile(samples.HELPER_JS, "helper.js"),
            media_type="application/javascript",
        )
        helper_url = reverse("learning:lesson_media", args=[helper.pk])
        notes = LessonFactory(
            module=module,
            kind="text",
            media=ContentFile(samples.html_loading(helper_url), "notes.html"),
            media_type="text/html",
        )
        drawing = LessonFactory(
            module=module,
            kind="text",
            media=ContentFile(samples.SVG_WITH_SCRIPT, "drawing.svg"),
            media_type="image/svg+xml",
        )
        learner = UserFactory(full_name=f"Learner {token}")
        EnrollmentFactory(learner=learner, course=course)

        # 3. The learner opens each file's address: it is downloaded, never rendered.
        page = signed_in_page(browser, signed_in(learner), base)
        pages.append(page)
        page.goto(base + reverse("learning:lesson", args=[notes.pk]))
        page.evaluate("title => { document.title = title; }", PAGE_TITLE)
        for lesson, content in (
            (notes, samples.html_loading(helper_url)),
            (drawing, samples.SVG_WITH_SCRIPT),
        ):
            media_url = base + reverse("learning:lesson_media", args=[lesson.pk])
            with page.expect_download() as download_info:
                try:
                    page.goto(media_url)
                except PlaywrightError as navigation:  # a download ends the navigation
                    assert "Download is starting" in navigation.message
            download = download_info.value
            assert download.url == media_url
            with open(download.path(), "rb") as saved:
                assert saved.read() == content
            assert pwned(page) == [True, PAGE_TITLE]
            expect(page).to_have_url(base + reverse("learning:lesson", args=[notes.pk]))

        # 4. A real video opened on its own still plays: the sandbox keeps out scripts, not the
        # browser's own player.
        with samples.DEMO_VIDEO.open("rb") as handle:
            video = VideoLessonFactory(
                module=module,
                media=File(handle, name="welcome.mp4"),
                media_type="video/mp4",
                duration_seconds=24,
            )
        page.goto(base + reverse("learning:lesson_media", args=[video.pk]))
        page.wait_for_function(
            "() => { const v = document.querySelector('video'); return v && v.readyState >= 1; }"
        )
        assert page.evaluate("() => Math.round(document.querySelector('video').duration)") == 24
    finally:
        for opened in pages:
            opened.context.close()
