"""R38: every response denies unused browser features and other sites' loads, and nothing said
to a person is stored by a cache (Permissions-Policy, Cross-Origin-Resource-Policy,
Cache-Control)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.cookies.models import RegistryEntry
from coursekeeper.cookies.seed import seed_registry
from coursekeeper.cookies.tests.test_video_embed import (
    YOUTUBE_ID,
    lesson_page,
    request_with_choice,
)
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.web.headers import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db

DENIED = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def signed_in_learner() -> Client:
    learner = UserFactory()
    client = Client()
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def assert_not_stored(response, path: str) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, (path, response.status_code, directives)


def assert_site_headers(response, path: str) -> None:
    policy = response.get("Permissions-Policy", "")
    assert all(feature in policy for feature in DENIED), (path, policy)
    assert response.get("Cross-Origin-Resource-Policy") == "same-origin", path


def test_r38_every_page_denies_unused_features_and_lets_the_video_player_go_full_screen():
    response = Client().get(reverse("web:home"))

    policy = [directive.strip() for directive in response["Permissions-Policy"].split(",")]
    for directive in (*DENIED, "interest-cohort=()", "browsing-topics=()", "autoplay=()"):
        assert directive in policy
    assert "fullscreen=(self)" in policy
    assert "picture-in-picture=(self)" in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_r38_a_page_embedding_a_consented_player_lets_exactly_that_player_go_full_screen():
    seed_registry(RegistryEntry)
    request = request_with_choice({"marketing"})

    response = SecurityHeadersMiddleware(
        lambda req: lesson_page(req, f"https://www.youtube.com/watch?v={YOUTUBE_ID}")
    )(request)

    policy = [directive.strip() for directive in response["Permissions-Policy"].split(",")]
    assert 'fullscreen=(self "https://www.youtube-nocookie.com")' in policy
    assert 'picture-in-picture=(self "https://www.youtube-nocookie.com")' in policy
    assert "camera=()" in policy


def test_r38_a_response_the_same_for_every_anonymous_visitor_may_be_cached():
    # A plain refusal: no session, no cookie, nothing about anyone.
    response = Client().get(reverse("web:switch_language"))

    assert response.status_code == 405
    assert "Cache-Control" not in response
    assert_site_headers(response, "language")


def test_r38_a_page_that_hands_out_a_csrf_cookie_is_not_stored():
    # A stored Set-Cookie would give the next visitor the same CSRF token.
    response = Client().get(reverse("web:home"))

    assert "csrftoken" in response.cookies
    assert_not_stored(response, "home")


def test_r38_a_visitor_with_a_session_but_no_account_gets_nothing_stored():
    client = Client()
    session = client.session
    session["guest_checkout"] = "pending"
    session.save()

    response = client.get(reverse("web:switch_language"))

    assert response.status_code == 405
    assert_not_stored(response, "language")


def test_r38_pages_for_a_signed_in_person_are_never_stored():
    course = CourseFactory()
    client = signed_in_learner()

    for path in (
        "/",
        "/courses/",
        reverse("learning:course", args=[course.slug]),
        "/privacy/",
        "/does-not-exist/",
        reverse("learning:dashboard"),
        reverse("accounts:profile"),
        reverse("accounts:sessions"),
        reverse("privacy:my_privacy"),
        reverse("commerce_account:orders"),
        reverse("account_email"),
        reverse("account_change_password"),
        "/admin/",
        "/staff/orders/",
    ):
        response = client.get(path)
        assert_not_stored(response, path)
        assert_site_headers(response, path)


def respond_with(request, response: HttpResponse) -> HttpResponse:
    return SecurityHeadersMiddleware(lambda _request: response)(request)


def test_r38_a_view_that_chose_its_cache_control_keeps_it():
    signed_in = RequestFactory().get("/me/invoices/1/")
    signed_in.user = UserFactory()

    no_store = HttpResponse()
    no_store["Cache-Control"] = "no-store"
    public = HttpResponse()
    public["Cache-Control"] = "public, max-age=60"
    own_cache = HttpResponse()
    own_cache["Cache-Control"] = "max-age=600"

    assert respond_with(signed_in, no_store)["Cache-Control"] == "no-store"
    assert respond_with(signed_in, public)["Cache-Control"] == "public, max-age=60"
    assert_not_stored(respond_with(signed_in, own_cache), "max-age")


def test_r38_an_anonymous_response_that_sets_a_cookie_is_not_stored():
    request = RequestFactory().get("/")
    with_cookie = HttpResponse()
    with_cookie.set_cookie("coursekeeper_language", "da")

    assert_not_stored(respond_with(request, with_cookie), "cookie")
    assert "Cache-Control" not in respond_with(request, HttpResponse())


# --- The crawl: every route a signed-in learner can reach ----------------------------------

SAMPLES = {
    IntConverter: "1",
    SlugConverter: "some-slug",
    UUIDConverter: str(uuid.UUID(int=1)),
    PathConverter: "2026/1",
}


def named_routes(patterns=None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def sample_path(name: str, pattern: URLPattern) -> str | None:
    """Return the route's path with a sample value for each argument, or None if none fits."""
    if isinstance(pattern.pattern, RoutePattern):
        converters = pattern.pattern.converters
        kwargs = {key: SAMPLES.get(type(value), "sample") for key, value in converters.items()}
    else:
        kwargs = {group: "1" for group in pattern.pattern.regex.groupindex}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None  # a regular expression that "1" does not fit (the administration's)


# Routes whose GET changes the signed-in state, so the crawl would end its own session.
ENDS_THE_SESSION = {"account_logout", "admin:logout"}


def test_r38_every_route_a_signed_in_learner_reaches_is_never_stored():
    client = signed_in_learner()
    paths = sorted(
        {
            path
            for name, pattern in named_routes()
            if name not in ENDS_THE_SESSION and (path := sample_path(name, pattern))
        }
    )

    statuses = {}
    for path in paths:
        response = client.get(path)
        statuses[path] = response.status_code
        assert_not_stored(response, path)
        assert_site_headers(response, path)

    assert max(statuses.values()) < 500
    # The crawl really went through the learner's own pages, signed in the whole time.
    assert statuses[reverse("accounts:profile")] == 200
    assert statuses[reverse("privacy:my_privacy")] == 200
    assert statuses[reverse("commerce_account:orders")] == 200
    assert client.get(reverse("learning:dashboard")).status_code == 200
