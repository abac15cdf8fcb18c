"""A learner's video picks up where they paused it, after signing out and in again, in Chromium."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files import File
from django.urls import reverse
from playwright.sync_api import Page, expect

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    ModuleFactory,
    VideoLessonFactory,
)
from coursekeeper.learning.management.commands.seed_courses import ASSETS, mp4_duration_seconds
from coursekeeper.learning.models import LessonProgress

WELCOME_VIDEO = ASSETS / "welcome.mp4"
TIMEOUT_MS = 15_000
VIDEO = "document.querySelector('video.lesson-video')"

# Runs in every page before its own scripts. Media events do not bubble, so the listener
# captures on the document; it runs before the player's own `loadedmetadata` handler on the
# video, hence the flag is set in a task after the event, when the player has resumed.
# DOMContentLoaded comes after the deferred player.js has attached itself.
METADATA_FLAG_SCRIPT = """
document.addEventListener("loadedmetadata", () => {
  setTimeout(() => { window.videoMetadataHandled = true; }, 0);
}, true);
document.addEventListener("DOMContentLoaded", () => { window.playerAttached = true; });
"""


def new_page(browser) -> Page:
    """A fresh browser context (its own cookies: one session) with an English browser."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(METADATA_FLAG_SCRIPT)
    return context.new_page()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + reverse("account_login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(base_url + reverse("learning:dashboard"))


def header_sign_out(page: Page):
    return page.locator(f"header form[action='{reverse('account_logout')}'] button")


def wait_for_video_ready(page: Page) -> None:
    """Wait until the video's metadata is in and the player has handled it (resumed or not)."""
    # Functions, not expression strings: Playwright evaluates a string with eval, which the
    # site's Content-Security-Policy forbids.
    page.wait_for_function("() => window.videoMetadataHandled === true && window.playerAttached")


def saved_position(learner, lesson, *, near: float, timeout: float = 10.0) -> float | None:
    """Poll the database until the learner's saved position is within a second of `near`.

    Return the last position seen (None if there is no row); the player may have saved an
    earlier position on its five-second tick before the save that follows the pause.
    """
    deadline = time.monotonic() + timeout
    while True:
        position = (
            LessonProgress.objects.filter(learner=learner, lesson=lesson)
            .values_list("position_seconds", flat=True)
            .first()
        )
        if (position is not None and abs(position - near) <= 1) or time.monotonic() > deadline:
            return position
        time.sleep(0.2)


def whole_seconds(position: float) -> str:
    """The position as the templates' `floatformat:0` shows it (halves round up)."""
    return str(Decimal(str(position)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not WELCOME_VIDEO.exists(),
    reason=f"the demo video {WELCOME_VIDEO} is missing; this test plays the real file",
)
def test_r5_video_resumes_where_the_learner_paused_after_signing_in_again(
    browser, live_server, settings, tmp_path, token
):
    """R5: the player saves the second where the learner paused, and resumes there next time.

    Given a learner enrolled in a course whose video lesson is the real demo video, when they
    play it for about seven seconds, pause, sign out and sign in again, then the dashboard offers
    to continue that lesson at the saved second and the lesson page starts the video there.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    learner = UserFactory(full_name=f"Video Learner {token}")
    course = CourseFactory(title=f"Resume course {token}")
    module = ModuleFactory(course=course, position=0)
    with WELCOME_VIDEO.open("rb") as handle:
        lesson = VideoLessonFactory(
            module=module,
            position=0,
            title=f"Welcome video {token}",
            media=File(handle, name="welcome.mp4"),
            media_type="video/mp4",
            duration_seconds=mp4_duration_seconds(WELCOME_VIDEO),
        )
    EnrollmentFactory(learner=learner, course=course)
    media_url = base + reverse("learning:lesson_media", args=[lesson.pk])
    continue_link_name = f"Continue where you left off: {lesson.title}"
    pages = []

    try:
        # 1. Sign in, open the lesson from the dashboard and play the video, muted.
        page = new_page(browser)
        pages.append(page)
        media_statuses: list[int] = []
        page.on(
            "response",
            lambda response: (
                media_statuses.append(response.status) if response.url == media_url else None
            ),
        )
        sign_in(page, base, learner.email)
        page.get_by_role("link", name=continue_link_name).click()
        expect(page).to_have_url(base + reverse("learning:lesson", args=[lesson.pk]))
        wait_for_video_ready(page)
        duration = page.evaluate(f"() => {VIDEO}.duration")
        assert abs(duration - lesson.duration_seconds) <= 1, "the lesson's length is the file's"
        assert page.evaluate(f"() => {VIDEO}.currentTime") == 0
        page.evaluate(
            f"async () => {{ const video = {VIDEO}; video.muted = true; await video.play(); }}"
        )

        # 2. Let it play to about seven seconds, pause, and wait for the save.
        page.wait_for_function(f"() => {VIDEO}.currentTime >= 7", timeout=20_000)
        paused_at = page.evaluate(
            f"() => {{ const video = {VIDEO}; video.pause(); return video.currentTime; }}"
        )
        assert 7 <= paused_at <= 8.5
        position = saved_position(learner, lesson, near=paused_at)
        assert position is not None, "no position was saved"
        assert abs(position - paused_at) <= 1, (position, paused_at)
        expect(page.locator("[data-progress-status]")).to_have_text(
            "Your place in the video is saved."
        )
        # Chromium asked for the video in byte ranges and got partial content.
        assert 206 in media_statuses, media_statuses

        # 3. Sign out with the header's button, and in again.
        header_sign_out(page).click()
        expect(page).to_have_url(base + "/")
        expect(header_sign_out(page)).to_have_count(0)
        sign_in(page, base, learner.email)

        # 4. The dashboard offers to continue the lesson at the saved second.
        continue_link = page.get_by_role("link", name=continue_link_name)
        expect(continue_link).to_be_visible()
        expect(continue_link).to_have_attribute(
            "href", reverse("learning:lesson", args=[lesson.pk])
        )
        expect(page.locator("main")).to_contain_text(
            f"Continue where you left off: {lesson.title} at second {whole_seconds(position)}"
        )

        # 5. The lesson page starts the video where it was paused.
        continue_link.click()
        expect(page).to_have_url(base + reverse("learning:lesson", args=[lesson.pk]))
        expect(page.locator("main")).to_contain_text(
            f"You stopped at second {whole_seconds(position)}; the video continues there."
        )
        wait_for_video_ready(page)
        resumed_at = page.evaluate(f"() => {VIDEO}.currentTime")
        assert abs(resumed_at - position) <= 1, (resumed_at, position)
        assert abs(resumed_at - paused_at) <= 1, (resumed_at, paused_at)
        assert LessonProgress.objects.get(learner=learner, lesson=lesson).completed_at is None
    finally:
        for opened in pages:
            opened.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not WELCOME_VIDEO.exists(),
    reason=f"the demo video {WELCOME_VIDEO} is missing; this test plays the real file",
)
def test_r30_a_restricted_learner_watches_the_video_and_is_told_their_place_is_not_saved(
    browser, live_server, settings, tmp_path, token
):
    """R30: while processing is restricted, the video plays, nothing is saved, and the page
    says why, in the learner's language, where it would say "saved"."""
    from coursekeeper.learning.errors import LearningError
    from coursekeeper.privacy.factories import RestrictionFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    learner = UserFactory(full_name=f"Restricted Learner {token}")
    course = CourseFactory(title=f"Restricted course {token}")
    with WELCOME_VIDEO.open("rb") as handle:
        lesson = VideoLessonFactory(
            module=ModuleFactory(course=course, position=0),
            position=0,
            title=f"Welcome video {token}",
            media=File(handle, name="welcome.mp4"),
            media_type="video/mp4",
            duration_seconds=mp4_duration_seconds(WELCOME_VIDEO),
        )
    EnrollmentFactory(learner=learner, course=course)
    RestrictionFactory(user=learner, email=learner.email)
    page = new_page(browser)
    try:
        sign_in(page, base, learner.email)
        page.goto(base + reverse("learning:lesson", args=[lesson.pk]))
        wait_for_video_ready(page)
        page.evaluate(
            f"async () => {{ const video = {VIDEO}; video.muted = true; await video.play(); }}"
        )
        page.wait_for_function(f"() => {VIDEO}.currentTime >= 6", timeout=20_000)

        expect(page.locator("[data-progress-status]")).to_have_text(
            LearningError("progress_restricted").message
        )
        assert page.evaluate(f"() => {VIDEO}.paused") is False
        assert not LessonProgress.objects.filter(learner=learner).exists()
    finally:
        page.context.close()
