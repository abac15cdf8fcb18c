"""R23: cookie choices without JavaScript — the banner, accept, reject, choose, and asking again."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.cookies.consent import DeviceChoice, read_choice
from coursekeeper.cookies.models import CookieChoice, RegistryEntry
from coursekeeper.cookies.registry import category_of, registry_version
from coursekeeper.cookies.seed import CHOICE_COOKIE_AGE, CHOICE_COOKIE_NAME, seed_registry

pytestmark = pytest.mark.django_db

ALL_OPTIONAL = {"preferences", "statistics", "marketing"}


@pytest.fixture(autouse=True)
def registry():
    """The seeded registry (a transactional test elsewhere may have flushed the migration's)."""
    seed_registry(RegistryEntry)


class Buttons(HTMLParser):
    """Collect the submit buttons inside the cookie banner and the checkboxes on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # >0 while inside <section class="cookie-banner">
        self.banner_buttons: list[tuple[str, dict]] = []
        self.checkboxes: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and (self.depth or "cookie-banner" in classes):
            self.depth += 1
        if self.depth and tag in {"button", "input"} and attributes.get("type") != "hidden":
            self.banner_buttons.append((tag, attributes))
        if tag == "input" and attributes.get("type") == "checkbox":
            self.checkboxes.append(attributes)

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1


def parse(response) -> Buttons:
    parser = Buttons()
    parser.feed(response.content.decode())
    return parser


def consent_cookie(response) -> DeviceChoice:
    """Read the choice cookie a response set, the way the next request will."""
    request = RequestFactory().get("/")
    request.COOKIES[CHOICE_COOKIE_NAME] = response.cookies[CHOICE_COOKIE_NAME].value
    choice = read_choice(request)
    assert choice is not None
    return choice


def test_r23_first_visit_shows_the_banner_with_three_buttons_of_equal_weight():
    response = Client().get(reverse("web:home"))

    buttons = parse(response).banner_buttons
    assert [(tag, a["type"], a["name"], a["value"], a["class"]) for tag, a in buttons] == [
        ("button", "submit", "choice", "accept_all", "cookie-choice-button"),
        ("button", "submit", "choice", "reject_all", "cookie-choice-button"),
        ("button", "submit", "choice", "choose", "cookie-choice-button"),
    ]
    page = response.content.decode()
    assert ">Accept all</button>" in page
    assert ">Reject all</button>" in page
    assert ">Choose</button>" in page
    # Only the necessary CSRF cookie (the banner is a form); no choice is assumed.
    assert sorted(response.cookies) == [settings.CSRF_COOKIE_NAME]
    assert CookieChoice.objects.count() == 0


def test_r23_footer_link_to_cookie_settings_on_every_page():
    page = Client().get(reverse("learning:catalogue")).content.decode()

    assert f'<a href="{reverse("cookies:settings")}">Cookie settings</a>' in page


def test_r23_accept_all_without_javascript_sets_the_choice_cookie_and_logs_a_row():
    client = Client()

    response = client.post(
        reverse("cookies:choose"), {"choice": "accept_all", "next": reverse("learning:catalogue")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:catalogue")
    choice = CookieChoice.objects.get()
    assert (choice.preferences, choice.statistics, choice.marketing) == (True, True, True)
    assert (choice.method, choice.language, choice.user_id) == ("accept_all", "en", None)
    assert choice.registry_version == registry_version()
    assert consent_cookie(response) == DeviceChoice(
        version=registry_version(), accepted=frozenset(ALL_OPTIONAL), choice_id=choice.choice_id
    )
    assert response.cookies[CHOICE_COOKIE_NAME]["httponly"] is True
    assert response.cookies[CHOICE_COOKIE_NAME]["max-age"] == CHOICE_COOKIE_AGE
    # Proof kept for the choice's lifetime plus the Danish limitation period (3 years).
    release = choice.made_at + dt.timedelta(seconds=CHOICE_COOKIE_AGE)
    assert choice.proof_release_at == release.replace(year=release.year + 3)

    page = client.get(reverse("learning:catalogue"))
    assert parse(page).banner_buttons == []
    assert "Your cookie choices are saved." in page.content.decode()
    assert "stats/screen.js" in page.content.decode()


def test_r23_reject_all_without_javascript_logs_a_refusal_and_loads_nothing_optional():
    client = Client()

    response = client.post(reverse("cookies:choose"), {"choice": "reject_all", "next": "/"})

    assert response.status_code == 302
    choice = CookieChoice.objects.get()
    assert (choice.preferences, choice.statistics, choice.marketing) == (False, False, False)
    assert choice.method == "reject_all"
    assert consent_cookie(response).accepted == frozenset()
    page = client.get("/")
    assert parse(page).banner_buttons == []
    assert "stats/screen.js" not in page.content.decode()


def test_r23_choose_opens_unticked_categories_and_saves_only_the_ticked_one():
    client = Client()

    response = client.post(reverse("cookies:choose"), {"choice": "choose", "next": "/courses/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("cookies:settings") + "?next=%2Fcourses%2F"
    assert CookieChoice.objects.count() == 0
    assert CHOICE_COOKIE_NAME not in response.cookies
    page = client.get(response["Location"])
    assert page.status_code == 200
    boxes = parse(page).checkboxes
    assert [(b["name"], b["value"], "checked" in b) for b in boxes] == [
        ("categories", "preferences", False),
        ("categories", "statistics", False),
        ("categories", "marketing", False),
    ]
    # Every registry entry is listed on the page, with its category's heading.
    for entry in RegistryEntry.objects.all():
        assert f"<code>{entry.name}</code>" in page.content.decode()

    saved = client.post(
        reverse("cookies:choose"),
        {"choice": "save", "categories": ["statistics"], "next": "/courses/"},
    )

    assert saved.status_code == 302
    assert saved["Location"] == "/courses/"
    choice = CookieChoice.objects.get()
    assert (choice.preferences, choice.statistics, choice.marketing) == (False, True, False)
    assert choice.method == "choose"
    assert consent_cookie(saved).accepted == frozenset({"statistics"})
    # Coming back shows the choice as it stands.
    again = parse(client.get(reverse("cookies:settings"))).checkboxes
    assert [("checked" in b) for b in again] == [False, True, False]


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"choice": ""},
        {"choice": "maybe"},
        {"categories": ["statistics"]},
        {"choice": "save", "categories": ["statistics", "tracking"]},
        {"choice": "allow", "category": "necessary"},
    ],
)
def test_r23_a_consent_form_posted_without_a_valid_choice_is_refused_and_stores_nothing(posted):
    client = Client()

    response = client.post(reverse("cookies:choose"), {**posted, "next": "/"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Nothing was saved" in page
    assert CookieChoice.objects.count() == 0
    assert CHOICE_COOKIE_NAME not in response.cookies
    assert parse(client.get("/")).banner_buttons != []


def test_r23_a_registry_change_asks_again_and_allows_nothing_optional_until_then():
    client = Client()
    client.post(reverse("cookies:choose"), {"choice": "accept_all", "next": "/"})
    assert parse(client.get("/")).banner_buttons == []
    old_version = registry_version()

    RegistryEntry.objects.create(
        name="coursekeeper_theme",
        category="preferences",
        purpose_en="Remembers the colour theme you picked.",
        duration_seconds=365 * 24 * 3600,
    )

    assert registry_version() != old_version
    page = client.get("/")
    assert [a["value"] for _, a in parse(page).banner_buttons] == [
        "accept_all",
        "reject_all",
        "choose",
    ]
    assert "The list of cookies we use has changed since you last chose" in page.content.decode()
    assert "stats/screen.js" not in page.content.decode()
    refused = client.post(reverse("stats:screen_size"), {"bucket": "1440_up"})
    assert refused.status_code == 403

    client.post(reverse("cookies:choose"), {"choice": "reject_all", "next": "/"})
    assert list(
        CookieChoice.objects.order_by("made_at").values_list("registry_version", flat=True)
    ) == [
        old_version,
        registry_version(),
    ]
    assert parse(client.get("/")).banner_buttons == []


def test_r23_reordering_the_registry_does_not_ask_again():
    version = registry_version()

    RegistryEntry.objects.filter(name=settings.CSRF_COOKIE_NAME).update(position=999)

    assert registry_version() == version


def test_r23_a_forged_choice_cookie_allows_nothing():
    client = Client()
    client.cookies[CHOICE_COOKIE_NAME] = f"{registry_version()}.statistics.forged"

    page = client.get("/")

    assert parse(page).banner_buttons != []
    assert "stats/screen.js" not in page.content.decode()
    assert client.post(reverse("stats:screen_size"), {"bucket": "under_600"}).status_code == 403


def test_r23_a_signed_in_persons_choice_is_linked_to_their_account():
    person = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    client.post(
        reverse("cookies:choose"), {"choice": "save", "categories": ["marketing"], "next": "/"}
    )

    choice = CookieChoice.objects.get()
    assert (choice.user_id, choice.marketing, choice.statistics) == (person.pk, True, False)


def test_r23_the_log_holds_no_ip_address_and_no_browser_details(token):
    address, agent = "203.0.113.77", f"TestBrowser/{token}"

    Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent).post(
        reverse("cookies:choose"), {"choice": "accept_all", "next": "/"}
    )

    row = CookieChoice.objects.values().get()
    assert sorted(row) == [
        "choice_id",
        "id",
        "language",
        "made_at",
        "marketing",
        "method",
        "preferences",
        "proof_release_at",
        "registry_version",
        "statistics",
        "user_id",
    ]
    assert not [v for v in row.values() if address in str(v) or token in str(v)]


def test_r23_next_must_stay_on_this_site():
    response = Client().post(
        reverse("cookies:choose"), {"choice": "reject_all", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cookies:settings")


def test_r23_withdrawing_a_category_clears_this_sites_storage():
    client = Client()
    client.post(reverse("cookies:choose"), {"choice": "accept_all", "next": "/"})

    response = client.post(reverse("cookies:choose"), {"choice": "reject_all", "next": "/"})

    assert response["Clear-Site-Data"] == '"storage"'
    assert CookieChoice.objects.count() == 2
    # Accepting more withdraws nothing, so nothing is cleared.
    accepted = client.post(reverse("cookies:choose"), {"choice": "accept_all", "next": "/"})
    assert "Clear-Site-Data" not in accepted


def test_r23_the_registry_lists_every_cookie_the_platform_sets_itself():
    names = {
        settings.SESSION_COOKIE_NAME: "necessary",
        settings.CSRF_COOKIE_NAME: "necessary",
        settings.LANGUAGE_COOKIE_NAME: "necessary",
        "messages": "necessary",
        CHOICE_COOKIE_NAME: "necessary",
    }

    assert {name: category_of(name, "cookie") for name in names} == names
    assert category_of("coursekeeper_screen_counted", "session_storage") == "statistics"
    assert category_of("yt-remote-device-id", "local_storage") == "marketing"
    assert category_of("yt-remote-device-id", "cookie") is None
    assert category_of("anything_else", "cookie") is None


def test_r23_the_settings_page_shows_purposes_in_the_persons_language():
    page = Client(HTTP_ACCEPT_LANGUAGE="da").get(reverse("cookies:settings")).content.decode()

    assert "Husker det sprog, du valgte." in page


def test_r23_the_banner_reads_the_real_request_even_when_a_page_names_something_else_so():
    from django.template.loader import render_to_string

    request = RequestFactory().get("/staff/requests/1/")

    html = render_to_string("web/base.html", {"request": "a rights request"}, request=request)

    assert 'class="cookie-banner"' in html


def test_r23_pages_that_read_the_choice_vary_by_cookie_so_no_cache_shares_them():
    response = Client().get(reverse("learning:catalogue"))

    assert "Cookie" in response["Vary"]


def test_r23_durations_are_said_in_words():
    from coursekeeper.cookies.templatetags.cookie_choices import cookie_duration

    assert [cookie_duration(s) for s in (None, 1800, 7200, 14 * 86400, 365 * 86400)] == [
        "Until the browser is closed",
        "30 minutes",
        "2 hours",
        "14 days",
        "1 year",
    ]
    page = Client().get(reverse("cookies:settings")).content.decode()
    assert "Until you delete it" in page  # local storage has no end of its own
