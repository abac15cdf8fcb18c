"""R22: a lesson embeds a YouTube or Vimeo video, and nothing of the provider's loads before consent.

The course editor takes the video's address and keeps only the provider and the video's id; an
address of anything else is refused with a message. The lesson page shows a placeholder until
the learner allows the player's cookie category, through a plain form that works without
JavaScript and comes back to the lesson; then the player, and a policy that frames it.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.cookies.models import CookieChoice, RegistryEntry
from coursekeeper.cookies.seed import seed_registry
from coursekeeper.cookies.tests.test_video_embed import YOUTUBE_ID, directives
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory, ModuleFactory
from coursekeeper.learning.models import Lesson
from coursekeeper.learning.tests.test_editor import instructor_client

pytestmark = pytest.mark.django_db(transaction=True)

VIMEO_ID = "76979871"
THIRD_PARTY_HOSTS = ("youtube", "vimeo", "facebook", "google", "linkedin", "licdn", "doubleclick")


@pytest.fixture(autouse=True)
def registry():
    seed_registry(RegistryEntry)


class PlaceholderForm(HTMLParser):
    """Collect what a browser without JavaScript would send from the placeholder's form."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0  # >0 while inside <div class="video-placeholder">
        self.action = ""
        self.fields: dict[str, str] = {}
        self.settings_links: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("src"):
            self.sources.append(attributes["src"])
        if tag == "div" and (self.inside or "video-placeholder" in (attributes.get("class") or "")):
            self.inside += 1
        if not self.inside:
            return
        if tag == "form":
            self.action = attributes["action"]
        if tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes.get("value", "")
        if tag == "button":
            self.fields[attributes["name"]] = attributes["value"]
        if tag == "a" and attributes.get("href", "").startswith(reverse("cookies:settings")):
            self.settings_links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "div" and self.inside:
            self.inside -= 1


def placeholder(response) -> PlaceholderForm:
    parser = PlaceholderForm()
    parser.feed(response.content.decode())
    return parser


def enrolled_learner_on(lesson: Lesson) -> Client:
    learner = UserFactory()
    EnrollmentFactory(learner=learner, course=lesson.module.course)
    client = Client()
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def lesson_form(module, **changes) -> dict:
    return {
        "module": module.pk,
        "title": "Bowline, slowly",
        "kind": "text",
        "body": "Watch the knot being tied.",
        "position": 1,
        **changes,
    }


def test_r22_the_editor_keeps_a_youtube_address_as_its_provider_and_video_id():
    instructor, client = instructor_client()
    module = ModuleFactory(course__instructor=instructor)

    response = client.post(
        reverse("learning:editor_new_lesson", args=[module.course.slug]),
        lesson_form(module, video_url=f"  https://youtu.be/{YOUTUBE_ID}?t=42 "),
    )

    assert response.status_code == 302
    lesson = Lesson.objects.get(module=module)
    assert (lesson.embed_provider, lesson.embed_video_id) == ("youtube", YOUTUBE_ID)
    edit = client.get(reverse("learning:editor_edit_lesson", args=[module.course.slug, lesson.pk]))
    assert edit.context["form"]["video_url"].value() == (
        f"https://www.youtube.com/watch?v={YOUTUBE_ID}"
    )


def test_r22_the_editor_keeps_a_vimeo_address_and_clears_an_embed_when_the_field_is_emptied():
    instructor, client = instructor_client()
    lesson = LessonFactory(module__course__instructor=instructor)
    url = reverse("learning:editor_edit_lesson", args=[lesson.module.course.slug, lesson.pk])

    client.post(url, lesson_form(lesson.module, video_url=f"https://vimeo.com/{VIMEO_ID}"))
    lesson.refresh_from_db()
    assert (lesson.embed_provider, lesson.embed_video_id) == ("vimeo", VIMEO_ID)

    client.post(url, lesson_form(lesson.module, video_url=""))
    lesson.refresh_from_db()
    assert (lesson.embed_provider, lesson.embed_video_id) == ("", "")


@pytest.mark.parametrize(
    "address",
    [
        "https://example.org/knots.mp4",
        "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
        f"https://youtube.com.evil.example/watch?v={YOUTUBE_ID}",
        "javascript:alert(1)",
        "vimeo.com/76979871",
    ],
)
def test_r22_the_editor_refuses_an_address_that_is_not_a_youtube_or_vimeo_video(address):
    instructor, client = instructor_client()
    lesson = LessonFactory(
        module__course__instructor=instructor, embed_provider="vimeo", embed_video_id=VIMEO_ID
    )
    url = reverse("learning:editor_edit_lesson", args=[lesson.module.course.slug, lesson.pk])
    title = lesson.title

    response = client.post(url, lesson_form(lesson.module, video_url=address))

    assert response.status_code == 400
    assert response.context["form"].errors["video_url"] == [
        "This is not the address of a video on YouTube or Vimeo. Copy the address of the "
        "video's own page, such as https://www.youtube.com/watch?v=… or https://vimeo.com/…."
    ]
    lesson.refresh_from_db()
    assert (lesson.title, lesson.embed_provider, lesson.embed_video_id) == (
        title,
        "vimeo",
        VIMEO_ID,
    )
    assert Lesson.objects.count() == 1


def test_r22_without_javascript_the_lesson_asks_first_and_loads_the_video_after_consent():
    """The no-JS path: a plain form on the placeholder gives the consent and comes back."""
    lesson = LessonFactory(embed_provider="youtube", embed_video_id=YOUTUBE_ID)
    client = enrolled_learner_on(lesson)
    lesson_url = reverse("learning:lesson", args=[lesson.pk])

    before = client.get(lesson_url)

    assert before.status_code == 200
    page = before.content.decode()
    form = placeholder(before)
    assert "<iframe" not in page
    assert [s for s in form.sources if any(h in s for h in THIRD_PARTY_HOSTS)] == []
    assert "Playing this video here loads YouTube's player from www.youtube-nocookie.com, " in (
        page
    )
    assert "run by Google Ireland Limited." in page
    assert form.action == reverse("cookies:choose")
    anchor = f"#video-youtube-{YOUTUBE_ID}"
    assert {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"} == {
        "next": lesson_url + anchor,
        "category": "marketing",
        "choice": "allow",
    }
    assert form.settings_links == [
        f"/cookies/?next=%2Flessons%2F{lesson.pk}%2F%23video-youtube-{YOUTUBE_ID}"
    ]
    assert set(directives(before)) == {
        "default-src",
        "form-action",
        "object-src",
        "base-uri",
        "frame-ancestors",
        "img-src",
    }

    answer = client.post(form.action, form.fields)

    assert answer.status_code == 302
    assert answer["Location"] == lesson_url + anchor
    choice = CookieChoice.objects.get()
    assert (choice.method, choice.accepted) == ("embed", frozenset({"marketing"}))

    after = client.get(lesson_url)

    page = after.content.decode()
    assert (
        f'<iframe class="video-frame" src="https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"'
        in page
    )
    assert "video-placeholder" not in page
    assert directives(after)["frame-src"] == ["'self'", "https://www.youtube-nocookie.com"]
    assert "script-src" not in directives(after)
    assert 'fullscreen=(self "https://www.youtube-nocookie.com")' in after["Permissions-Policy"]


def test_r22_a_vimeo_lesson_loads_vimeos_player_with_do_not_track_after_consent():
    lesson = LessonFactory(embed_provider="vimeo", embed_video_id=VIMEO_ID)
    client = enrolled_learner_on(lesson)
    lesson_url = reverse("learning:lesson", args=[lesson.pk])
    form = placeholder(client.get(lesson_url))
    assert "<iframe" not in client.get(lesson_url).content.decode()

    client.post(form.action, form.fields)
    after = client.get(lesson_url)

    assert f'src="https://player.vimeo.com/video/{VIMEO_ID}?dnt=1"' in after.content.decode()
    assert directives(after)["frame-src"] == ["'self'", "https://player.vimeo.com"]


def test_r22_refusing_marketing_keeps_the_placeholder_and_the_strict_policy():
    lesson = LessonFactory(embed_provider="youtube", embed_video_id=YOUTUBE_ID)
    client = enrolled_learner_on(lesson)
    client.post(reverse("cookies:choose"), {"choice": "reject_all", "next": "/"})

    response = client.get(reverse("learning:lesson", args=[lesson.pk]))

    assert "<iframe" not in response.content.decode()
    assert "video-placeholder" in response.content.decode()
    assert "frame-src" not in directives(response)
