"""R22, R23, R24 in Chromium: every public page, in each consent state, stores nothing that the
registry does not list or whose category was not accepted.

The public pages are collected from the URL resolver: every named route that needs no argument
and answers an anonymous GET with an HTML page (so pages added later — contact, newsletter — are
crawled the moment they exist), plus the pages that need one: a course and a free sample. After
each page the crawl reads the browser's cookies (every domain's) and both storages' keys.

With the three marketing tags configured and lessons embedding YouTube and Vimeo, the crawl also
records every request the browser attempts to another host (answered by a stub: nothing leaves
the machine), to show that none is even attempted before the consent it needs, and that each is
attempted once that consent is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.cookies import registry as cookie_registry
from coursekeeper.cookies.models import CookieCategory, CookieChoice, RegistryEntry
from coursekeeper.cookies.registry import category_of
from coursekeeper.cookies.seed import SCREEN_COUNTED_KEY, seed_registry
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
)
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.tests.test_pages import staff_client
from coursekeeper.stats import services
from coursekeeper.stats.models import ScreenSizeCount
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import PASSWORD, new_page, sign_in

# Never public, whatever they answer: the administration and the staff and teaching pages.
NOT_PUBLIC_PREFIXES = ("/admin/", "/staff/", "/teach/", "/me/", "/dashboard/")


def named_routes(
    patterns: list | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Yield (full name, pattern) for every named route in the URL configuration."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def public_pages() -> list[str]:
    """Every argument-free named route an anonymous visitor is shown as an HTML page."""
    found = set()
    client = Client()
    for name, _pattern in named_routes():
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue  # needs an argument
        if path.startswith(NOT_PUBLIC_PREFIXES) or path in found:
            continue
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.add(path)
    return sorted(found)


def stored(page: Page) -> list[tuple[str, str, str]]:
    """Return (kind, name, where) for every cookie and storage key the browser holds now."""
    keys = [("cookie", c["name"], c["domain"]) for c in page.context.cookies()]
    for kind, storage in (("local_storage", "localStorage"), ("session_storage", "sessionStorage")):
        names = page.evaluate(f"Object.keys(window.{storage})")
        keys.extend((kind, name, "this site") for name in names)
    return keys


def offending(page: Page, allowed: set[str], registry: list[RegistryEntry]) -> list[tuple]:
    """Return what the browser holds that the registry lacks or that was not accepted."""
    bad = []
    for kind, name, where in stored(page):
        category = category_of(name, kind, registry)
        if category is None or category not in allowed:
            bad.append((page.url, kind, name, where, category or "not in the registry"))
    return bad


def crawl(page: Page, base: str, paths: list[str], allowed: set[str], registry) -> list[tuple]:
    problems = []
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        problems.extend(offending(page, allowed, registry))
    return problems


def wait_for_screen_counted(page: Page) -> None:
    """Wait until the statistics script noted its report (polled: the CSP forbids eval)."""
    script = f"window.sessionStorage.getItem('{SCREEN_COUNTED_KEY}')"
    for _ in range(150):
        if page.evaluate(script) == "1":
            return
        page.wait_for_timeout(100)
    raise AssertionError("The statistics script never reported the screen size.")


def banner(page: Page):
    return page.get_by_role("region", name="Your choice about cookies")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r22_r23_r24_no_public_page_stores_anything_unlisted_or_not_accepted(browser, live_server):
    seed_registry(RegistryEntry)
    registry = list(RegistryEntry.objects.all())
    course = CourseFactory(title="Knots for sailors")
    sample = LessonFactory(module=ModuleFactory(course=course), is_free_sample=True)
    learner = UserFactory(password=PASSWORD)
    base = live_server.url
    paths = [
        *public_pages(),
        reverse("learning:course", args=[course.slug]),
        reverse("learning:free_material", args=[sample.pk]),
    ]
    # The pages the issue names are all among them.
    for name in (
        "web:home",
        "learning:catalogue",
        "privacy:policy",
        "privacy:visitor_request",
        "account_login",
        "account_signup",
        "account_reset_password",
        "cookies:settings",
    ):
        assert reverse(name) in paths, name
    necessary = {CookieCategory.NECESSARY.value}
    problems: list[tuple] = []

    # 1. No choice yet: only necessary ones, also after picking a language (set on that click).
    page = new_page(browser)
    problems += crawl(page, base, paths, necessary, registry)
    page.goto(base + "/")
    expect(banner(page)).to_be_visible()
    page.locator("footer").get_by_role("button", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    problems += offending(page, necessary, registry)
    page.locator("footer").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()

    # 2. Rejected from the banner.
    page = new_page(browser)
    page.goto(base + "/")
    problems += offending(page, necessary, registry)
    banner(page).get_by_role("button", name="Reject all").click()
    expect(banner(page)).to_have_count(0)
    problems += crawl(page, base, paths, necessary, registry)
    page.context.close()

    # 3. Statistics only, through "Choose": the script runs once and keeps its one key.
    page = new_page(browser)
    page.goto(base + "/")
    banner(page).get_by_role("button", name="Choose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cookie settings")
    problems += offending(page, necessary, registry)
    page.get_by_label("Allow: Statistics").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page).to_have_url(base + "/")
    wait_for_screen_counted(page)
    problems += crawl(page, base, paths, necessary | {"statistics"}, registry)
    assert sum(ScreenSizeCount.objects.values_list("reports", flat=True)) == 1
    page.context.close()

    # 4. All accepted.
    page = new_page(browser)
    page.goto(base + "/")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_have_count(0)
    everything = {c.value for c in CookieCategory}
    problems += crawl(page, base, paths, everything, registry)
    page.context.close()

    # 5. Signed in, no choice made: the signed-in pages too.
    page = new_page(browser)
    sign_in(page, base, learner.email)
    expect(banner(page)).to_be_visible()
    signed_in_paths = [
        *paths,
        reverse("learning:dashboard"),
        reverse("accounts:profile"),
        reverse("privacy:my_privacy"),
    ]
    problems += crawl(page, base, signed_in_paths, necessary, registry)
    page.context.close()

    assert problems == []
    assert list(CookieChoice.objects.order_by("made_at").values_list("method", flat=True)) == [
        "reject_all",
        "choose",
        "accept_all",
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r23_the_banner_and_the_choice_page_pass_wcag_aa_checks(browser, live_server):
    seed_registry(RegistryEntry)
    base = live_server.url
    page = new_page(browser)
    page.goto(base + "/")
    expect(banner(page)).to_be_visible()
    assert accessibility_violations(page) == []

    banner(page).get_by_role("button", name="Choose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cookie settings")
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="Save my choices").click()  # nothing ticked: refuse all
    expect(page).to_have_url(base + "/")
    expect(banner(page)).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text("Your cookie choices are saved.")
    assert accessibility_violations(page) == []
    choice = CookieChoice.objects.get()
    assert (choice.method, choice.accepted) == ("choose", frozenset())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r23_withdrawing_statistics_clears_the_key_the_script_kept(browser, live_server):
    seed_registry(RegistryEntry)
    base = live_server.url
    page = new_page(browser)
    page.goto(base + "/")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_for_screen_counted(page)

    page.locator("footer").get_by_role("link", name="Cookie settings").click()
    page.get_by_role("button", name="Reject all").click()

    expect(page).to_have_url(base + reverse("cookies:settings"))
    expect(page.locator(".messages")).to_contain_text("Your cookie choices are saved.")
    assert page.evaluate("Object.keys(window.sessionStorage)") == []
    assert page.locator("script[src$='stats/screen.js']").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r24_the_staff_statistics_page_passes_wcag_aa_checks(browser, live_server):
    seed_registry(RegistryEntry)
    for route in ("web:home", "web:home", "learning:catalogue"):
        services.count_page_view(route=route, language="en")
    owner = staff_client(Role.OWNER)  # signed in with a password and a TOTP code
    page = new_page(browser)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": owner.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(live_server.url + reverse("stats:statistics"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    expect(page.get_by_role("img", name="Page views per day", exact=True)).to_have_count(1)
    expect(page.get_by_role("table", name="Page views per day")).to_have_count(1)
    assert accessibility_violations(page) == []


# A 1x1 transparent GIF, for a stubbed image request.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


class ThirdPartyRequests:
    """Record every request the browser attempts to a host other than the site, and answer it
    with a stub (the machine has no way out, and the test must not depend on one)."""

    def __init__(self, context: BrowserContext, site: str) -> None:
        self.site_host = urlsplit(site).hostname
        self.hosts: list[str] = []
        context.route(self.is_third_party, self.stub)
        context.on("request", self.record)

    def is_third_party(self, url: str) -> bool:
        return (
            urlsplit(url).scheme in {"http", "https"} and urlsplit(url).hostname != self.site_host
        )

    def record(self, request: Request) -> None:
        host = urlsplit(request.url).hostname
        if self.is_third_party(request.url) and host is not None:
            self.hosts.append(host)

    def stub(self, route: Route) -> None:
        kind = route.request.resource_type
        if kind == "image":
            route.fulfill(status=200, content_type="image/gif", body=PIXEL)
        elif kind in {"document", "sub_frame"}:
            route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>stub</title>"
            )
        else:
            route.fulfill(status=200, content_type="text/javascript", body="")

    def since(self, start: int) -> set[str]:
        return set(self.hosts[start:])


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r22_no_third_party_is_even_asked_before_consent_and_each_is_once_it_is_given(
    browser, live_server
):
    seed_registry(RegistryEntry)
    ProviderSettings.objects.update_or_create(
        pk=1,
        defaults={
            "meta_pixel_id": "123456789012345",
            "google_tag_id": "G-A1B2C3D4E5",
            "linkedin_partner_id": "1234567",
        },
    )
    registry = cookie_registry.entries()
    assert {"_fbp", "_ga", "li_sugr"} <= {entry.name for entry in registry}
    module = ModuleFactory(course=CourseFactory(title="Knots for sailors"))
    youtube = LessonFactory(module=module, embed_provider="youtube", embed_video_id="dQw4w9WgXcQ")
    vimeo = LessonFactory(module=module, embed_provider="vimeo", embed_video_id="76979871")
    learner = UserFactory(password=PASSWORD)
    EnrollmentFactory(learner=learner, course=module.course)
    base = live_server.url
    youtube_url = base + reverse("learning:lesson", args=[youtube.pk])
    vimeo_url = base + reverse("learning:lesson", args=[vimeo.pk])
    public = [reverse(name) for name in ("web:home", "learning:catalogue", "contact:form")]
    public.append(reverse("learning:course", args=[module.course.slug]))
    necessary = {CookieCategory.NECESSARY.value}
    page = new_page(browser)
    requests = ThirdPartyRequests(page.context, base)

    # 1. No choice yet: the lessons show placeholders, and nothing is asked of anyone else.
    sign_in(page, base, learner.email)
    for url in [*(base + path for path in public), youtube_url, vimeo_url]:
        visit(page, url)
    placeholder = page.locator(".video-placeholder")
    expect(placeholder).to_contain_text(
        "Playing this video here loads Vimeo's player from player.vimeo.com, run by Vimeo.com, Inc."
    )
    expect(page.locator("iframe")).to_have_count(0)

    # 2. Statistics and preferences refused, marketing too: still nothing.
    banner(page).get_by_role("button", name="Reject all").click()
    for url in [*(base + path for path in public), youtube_url]:
        visit(page, url)
    assert requests.hosts == []
    assert offending(page, necessary, registry) == []

    # 3. Marketing allowed from the placeholder, without leaving the lesson.
    page.get_by_role("button", name="Allow marketing cookies and load the video").click()
    expect(page).to_have_url(youtube_url + "#video-youtube-dQw4w9WgXcQ")
    expect(page.locator("iframe.video-frame")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    page.wait_for_load_state("networkidle")
    assert requests.since(0) == {"www.youtube-nocookie.com"}
    start = len(requests.hosts)
    visit(page, vimeo_url)
    assert requests.since(start) == {"player.vimeo.com"}
    start = len(requests.hosts)
    visit(page, base + reverse("web:home"))
    # Meta and LinkedIn need marketing; Google Analytics (a G- id) waits for statistics.
    assert requests.since(start) == {"connect.facebook.net", "snap.licdn.com"}
    marketing = necessary | {"marketing"}
    assert offending(page, marketing, registry) == []

    # 4. Statistics allowed too, from the cookie settings: now the Google tag.
    visit(page, base + reverse("cookies:settings"))
    page.get_by_label("Allow: Statistics").check()
    page.get_by_role("button", name="Save my choices").click()
    start = len(requests.hosts)
    visit(page, base + reverse("learning:catalogue"))
    assert requests.since(start) == {
        "connect.facebook.net",
        "snap.licdn.com",
        "www.googletagmanager.com",
    }
    assert offending(page, marketing | {"statistics"}, registry) == []
    page.context.close()
