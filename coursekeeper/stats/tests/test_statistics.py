"""R24: first-party statistics — page views counted with no cookie and no IP; screen sizes only
after statistics consent; the staff page's chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.cookies.models import RegistryEntry
from coursekeeper.cookies.seed import seed_registry
from coursekeeper.privacy.tests.test_pages import staff_client
from coursekeeper.stats import services
from coursekeeper.stats.models import PageViewCount, ScreenSizeCount
from coursekeeper.stats.selectors import views_per_day
from coursekeeper.stats.services import school_today
from coursekeeper.web.charts import bar_chart, nice_maximum

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry():
    seed_registry(RegistryEntry)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth marks a used TOTP code in the cache by user id; ids come round again after a
    rolled-back test, so a staff sign-in in the same 30 seconds would be refused as a replay."""
    cache.clear()


def counts() -> dict[tuple[str, str], int]:
    return {
        (row.route, row.language): row.views
        for row in PageViewCount.objects.filter(day=school_today())
    }


def client_with_choice(categories: list[str]) -> Client:
    client = Client()
    client.post(
        reverse("cookies:choose"), {"choice": "save", "categories": categories, "next": "/"}
    )
    return client


def test_r24_page_views_are_counted_without_any_cookie_and_without_an_ip(token):
    address, agent = "198.51.100.23", f"Visitor/{token}"

    # Each view from a browser that sends no cookie at all, and gets none but the CSRF one.
    for path, language in [("/", "en"), ("/", "en"), ("/courses/", "en"), ("/", "de")]:
        response = Client(
            REMOTE_ADDR=address, HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE=language
        ).get(path)
        assert response.status_code == 200
        assert sorted(response.cookies) == [settings.CSRF_COOKIE_NAME]

    assert counts() == {
        ("web:home", "en"): 2,
        ("web:home", "de"): 1,
        ("learning:catalogue", "en"): 1,
    }
    stored = [str(v) for row in PageViewCount.objects.values() for v in row.values()]
    assert not [v for v in stored if address in v or token in v]
    assert sorted(f.name for f in PageViewCount._meta.get_fields()) == [
        "day",
        "id",
        "language",
        "route",
        "views",
    ]


def test_r24_only_pages_shown_are_counted_not_errors_redirects_files_or_staff():
    learner = UserFactory()
    client = Client()
    client.get("/no-such-page/")  # 404
    client.get(reverse("learning:dashboard"))  # 302 to sign-in
    client.post(reverse("cookies:choose"), {"choice": "reject_all", "next": "/"})  # a POST
    client.get("/static/web/site.css")
    staff = staff_client(Role.SUPPORT)
    staff.get("/")
    staff.get(reverse("stats:statistics"))

    assert counts() == {}

    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    client.get(reverse("learning:dashboard"))

    assert counts() == {("learning:dashboard", "en"): 1}


def test_r24_the_counter_adds_up_on_one_row_per_day_page_and_language():
    day = dt.date(2026, 3, 2)

    for _ in range(3):
        services.count_page_view(route="learning:course", language="da", day=day)
    services.count_page_view(route="learning:course", language="da", day=day + dt.timedelta(1))

    assert list(
        PageViewCount.objects.order_by("day").values_list("day", "route", "language", "views")
    ) == [
        (day, "learning:course", "da", 3),
        (day + dt.timedelta(1), "learning:course", "da", 1),
    ]


@pytest.mark.parametrize("categories", [None, [], ["marketing", "preferences"]])
def test_r24_the_screen_size_endpoint_refuses_without_statistics_consent(categories):
    client = Client() if categories is None else client_with_choice(categories)

    response = client.post(reverse("stats:screen_size"), {"bucket": "1024_1439"})

    assert response.status_code == 403
    assert response.json() == {
        "error": "Statistics are not allowed on this device, so nothing was counted."
    }
    assert ScreenSizeCount.objects.count() == 0


def test_r24_the_screen_size_endpoint_counts_a_step_after_statistics_consent():
    client = client_with_choice(["statistics"])

    assert client.post(reverse("stats:screen_size"), {"bucket": "1024_1439"}).status_code == 204
    assert client.post(reverse("stats:screen_size"), {"bucket": "1024_1439"}).status_code == 204
    refused = client.post(reverse("stats:screen_size"), {"bucket": "1366x768"})

    assert refused.status_code == 400
    assert list(ScreenSizeCount.objects.values_list("bucket", "reports")) == [("1024_1439", 2)]


def test_r24_the_screen_size_endpoint_needs_the_csrf_token():
    client = client_with_choice(["statistics"])
    client.handler.enforce_csrf_checks = True

    response = client.post(reverse("stats:screen_size"), {"bucket": "under_600"})

    assert response.status_code == 403
    assert ScreenSizeCount.objects.count() == 0


@pytest.mark.parametrize(
    ("categories", "loaded"),
    [(None, False), ([], False), (["marketing"], False), (["statistics"], True)],
)
def test_r24_the_screen_size_script_is_loaded_only_after_statistics_consent(categories, loaded):
    client = Client() if categories is None else client_with_choice(categories)

    page = client.get("/").content.decode()

    assert ('src="/static/stats/screen.js"' in page) is loaded


def test_r24_staff_see_page_views_per_day_as_an_accessible_chart_and_table():
    today = school_today()
    services.count_page_view(route="web:home", language="en", day=today)
    services.count_page_view(route="web:home", language="da", day=today)
    services.count_page_view(route="learning:catalogue", language="en", day=today)
    services.count_page_view(route="web:home", language="en", day=today - dt.timedelta(days=29))
    services.count_page_view(route="web:home", language="en", day=today - dt.timedelta(days=30))
    services.count_screen_size(bucket="under_600", day=today)

    page = staff_client(Role.OWNER).get(reverse("stats:statistics"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="img"' in html
    assert 'aria-labelledby="views-chart-title" aria-describedby="views-chart-desc"' in html
    assert html.count('<rect class="chart-bar"') == 30
    assert "<caption>Page views per day</caption>" in html
    assert "4 page views in all." in html  # the day 30 days ago is outside the window
    assert "<code>web:home</code></td><td>3</td>" in html
    assert "<td>Narrower than 600 pixels</td><td>1</td>" in html


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.PRIVACY_OFFICER])
def test_r24_support_and_the_privacy_officer_may_see_the_statistics(role):
    assert staff_client(role).get(reverse("stats:statistics")).status_code == 200


def test_r24_learners_and_instructors_may_not_see_the_statistics():
    learner = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    assert client.get(reverse("stats:statistics")).status_code == 403
    assert staff_client(Role.INSTRUCTOR).get(reverse("stats:statistics")).status_code == 403
    anonymous = Client().get(reverse("stats:statistics"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_r24_views_per_day_fills_days_without_views_with_zero():
    today = dt.date(2026, 5, 10)
    services.count_page_view(route="web:home", language="en", day=today - dt.timedelta(days=2))

    days = views_per_day(days=3, today=today)

    assert [(d.day.day, d.views) for d in days] == [(8, 1), (9, 0), (10, 0)]


def test_r24_the_chart_scales_to_a_round_maximum():
    assert [nice_maximum(v) for v in (0, 1, 3, 10, 11, 180, 5001)] == [1, 1, 5, 10, 20, 200, 10000]
    chart = bar_chart([("a", 0), ("b", 5), ("c", 10)], label_every=2)
    assert chart.maximum == 10
    assert [(b.height, b.show_label) for b in chart.bars] == [
        (0.0, True),
        (95.0, False),
        (190.0, True),
    ]


def test_r24_a_worker_adds_page_views_up_and_writes_them_in_one_go(settings):
    settings.STATS_FLUSH_EVERY = 3
    settings.STATS_FLUSH_SECONDS = 3600
    services.flush_page_views()
    day = school_today()

    services.count_page_view(route="web:home", language="en", day=day)
    services.count_page_view(route="web:home", language="en", day=day)
    assert not PageViewCount.objects.exists()  # still in the worker's memory

    services.count_page_view(route="learning:catalogue", language="da", day=day)
    assert sorted(PageViewCount.objects.values_list("route", "language", "views")) == [
        ("learning:catalogue", "da", 1),
        ("web:home", "en", 2),
    ]

    services.count_page_view(route="web:home", language="en", day=day)
    services.flush_page_views()  # what a clean exit does
    assert PageViewCount.objects.get(route="web:home").views == 3


def views_of(route: str) -> int:
    return sum(views for (counted, _), views in counts().items() if counted == route)


def test_r30_an_objecting_learners_page_views_leave_the_statistics():
    learner = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(learner)
    client.get("/")
    assert views_of("web:home") == 1

    client.post(reverse("privacy:object_to_purpose"), {"purpose": "statistics"})
    client.get("/")
    client.get("/courses/")
    Client(HTTP_ACCEPT_LANGUAGE="en").get("/")  # a visitor nobody can recognise: counted

    assert views_of("web:home") == 2
    assert views_of("learning:catalogue") == 0


def test_r30_a_restricted_learners_screen_size_is_not_counted():
    learner = UserFactory()
    client = client_with_choice(["statistics"])
    client.force_login(learner)
    client.post(reverse("privacy:request_restriction"), {"restriction-details": ""})

    response = client.post(reverse("stats:screen_size"), {"bucket": "1024_1439"})

    assert response.status_code == 204
    assert ScreenSizeCount.objects.count() == 0
