"""R22: third-party video embeds load only after marketing consent; before, a placeholder.

No lesson embeds an external video yet (lessons carry uploaded files), so the tag is rendered
from a test template, through the real middleware chain that sets the page's CSP header.
"""

from __future__ import annotations

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from coursekeeper.cookies.consent import DeviceChoice
from coursekeeper.cookies.middleware import CookieChoiceMiddleware
from coursekeeper.cookies.models import CookieChoice, RegistryEntry
from coursekeeper.cookies.registry import registry_version
from coursekeeper.cookies.seed import CHOICE_COOKIE_NAME, seed_registry
from coursekeeper.cookies.video import parse_video_url

pytestmark = pytest.mark.django_db

LESSON_TEMPLATE = Template(
    "{% load cookie_choices %}<p>Before</p>{% video_embed url title %}<p>After</p>"
)
YOUTUBE_ID = "dQw4w9WgXcQ"


@pytest.fixture(autouse=True)
def registry():
    seed_registry(RegistryEntry)


def lesson_page(request, url: str, title: str = "Knots, part 1") -> HttpResponse:
    """A page that embeds a video, served through django-csp and our frame-source middleware."""

    def view(req):
        return HttpResponse(
            LESSON_TEMPLATE.render(RequestContext(req, {"url": url, "title": title}))
        )

    response = CSPMiddleware(CookieChoiceMiddleware(view))(request)
    assert isinstance(response, HttpResponse)
    return response


def directives(response) -> dict[str, list[str]]:
    """Return the response's Content-Security-Policy as {directive: sources}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def request_with_choice(accepted: set[str]):
    """A GET whose device carries a real, signed choice cookie (made by a posted choice)."""
    client = Client()
    action = {"choice": "save", "categories": sorted(accepted), "next": "/"}
    response = client.post(reverse("cookies:choose"), action)
    request = RequestFactory().get("/lessons/7/")
    request.COOKIES[CHOICE_COOKIE_NAME] = response.cookies[CHOICE_COOKIE_NAME].value
    return request


def test_r22_without_consent_a_placeholder_with_a_link_and_nothing_of_youtubes_is_loaded():
    request = RequestFactory().get("/lessons/7/")

    response = lesson_page(request, f"https://www.youtube.com/watch?v={YOUTUBE_ID}")

    page = response.content.decode()
    assert "<iframe" not in page
    assert 'src="' not in page  # nothing is loaded from anywhere
    assert "loads YouTube's player from www.youtube-nocookie.com, run by Google Ireland" in page
    assert f'href="https://www.youtube.com/watch?v={YOUTUBE_ID}"' in page
    assert 'href="/cookies/?next=%2Flessons%2F7%2F%23video-youtube-' in page
    assert 'name="choice" value="allow"' in page
    assert 'name="category" value="marketing"' in page
    assert f'name="next" value="/lessons/7/#video-youtube-{YOUTUBE_ID}"' in page
    assert "frame-src" not in response["Content-Security-Policy"]


def test_r22_with_statistics_only_the_placeholder_stays():
    response = lesson_page(request_with_choice({"statistics"}), f"https://youtu.be/{YOUTUBE_ID}")

    assert "<iframe" not in response.content.decode()
    assert "frame-src" not in response["Content-Security-Policy"]


def test_r22_with_marketing_consent_the_player_is_embedded_and_only_its_origin_may_be_framed():
    response = lesson_page(request_with_choice({"marketing"}), f"https://youtu.be/{YOUTUBE_ID}")

    page = response.content.decode()
    assert (
        f'<iframe class="video-frame" src="https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"'
        in page
    )
    assert 'title="Knots, part 1"' in page
    policy = directives(response)
    assert policy["frame-src"] == ["'self'", "https://www.youtube-nocookie.com"]
    assert policy["default-src"] == ["'self'"]
    assert "script-src" not in policy and "connect-src" not in policy


def test_r22_vimeo_is_embedded_with_do_not_track():
    response = lesson_page(request_with_choice({"marketing"}), "https://vimeo.com/76979871")

    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in response.content.decode()
    assert directives(response)["frame-src"] == ["'self'", "https://player.vimeo.com"]


def test_r22_an_address_that_is_not_a_known_video_is_only_a_link():
    response = lesson_page(request_with_choice({"marketing"}), "https://example.org/video.mp4")

    page = response.content.decode()
    assert '<a href="https://example.org/video.mp4">Knots, part 1</a>' in page
    assert "<iframe" not in page
    assert "frame-src" not in response["Content-Security-Policy"]


def test_r22_the_placeholder_button_records_marketing_consent_and_keeps_the_rest():
    client = Client()
    client.post(
        reverse("cookies:choose"), {"choice": "save", "categories": ["statistics"], "next": "/"}
    )
    back_to = f"/lessons/7/#video-youtube-{YOUTUBE_ID}"

    response = client.post(
        reverse("cookies:choose"),
        {"choice": "allow", "category": "marketing", "next": back_to},
    )

    assert response.status_code == 302
    assert response["Location"] == back_to
    latest = CookieChoice.objects.order_by("-made_at", "-pk").first()
    assert latest is not None
    assert (latest.method, latest.statistics, latest.marketing, latest.preferences) == (
        "embed",
        True,
        True,
        False,
    )
    assert latest.registry_version == registry_version()


def test_r22_the_tag_without_a_request_renders_the_placeholder():
    html = LESSON_TEMPLATE.render(
        Context({"url": f"https://youtu.be/{YOUTUBE_ID}", "title": "Knots"})
    )

    assert "<iframe" not in html
    assert "video-placeholder" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=5", ("YouTube", YOUTUBE_ID)),
        (f"https://youtu.be/{YOUTUBE_ID}", ("YouTube", YOUTUBE_ID)),
        (f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}", ("YouTube", YOUTUBE_ID)),
        (f"https://m.youtube.com/shorts/{YOUTUBE_ID}", ("YouTube", YOUTUBE_ID)),
        ("https://vimeo.com/76979871", ("Vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871", ("Vimeo", "76979871")),
        ("https://www.youtube.com/watch?v=short", None),
        ("javascript:alert(1)//youtu.be/dQw4w9WgXcQ", None),
        (f"https://youtube.com.evil.example/watch?v={YOUTUBE_ID}", None),
        ("https://vimeo.com/channels/staffpicks", None),
        ("", None),
    ],
)
def test_r22_only_youtube_and_vimeo_addresses_become_embeds(url, expected):
    video = parse_video_url(url)

    assert (None if video is None else (video.provider, video.video_id)) == expected


def test_r22_the_choice_cookie_round_trips():
    choice = DeviceChoice(version="abc", accepted=frozenset({"marketing"}), choice_id="x-y_z")

    assert DeviceChoice.parse(choice.cookie_value()) == choice
    assert DeviceChoice.parse("abc.tracking.x") is None
    assert DeviceChoice.parse("abc..x") is None


@pytest.mark.parametrize("url", [f"https://youtu.be/{YOUTUBE_ID}", "https://vimeo.com/76979871"])
def test_r22_a_player_asks_for_the_category_the_registry_files_its_cookies_under(url):
    video = parse_video_url(url)
    assert video is not None

    categories = set(
        RegistryEntry.objects.filter(provider__startswith=video.operator).values_list(
            "category", flat=True
        )
    )

    assert categories == {video.category}
