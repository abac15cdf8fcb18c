"""R22: the owner's marketing and statistics tags load only after consent to their category.

Meta's pixel and LinkedIn's Insight Tag need marketing consent; a Google tag needs statistics
consent for Google Analytics (G-…) and marketing consent for Google Ads (AW-…), as the registry
files their cookies. Each is emitted by the base template on the public pages only, and the
response's Content-Security-Policy allows exactly the origins of the tags it emits. Configuring
a tag puts its cookies in the registry, which asks everyone again.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.cookies import registry, tags
from coursekeeper.cookies.models import RegistryEntry
from coursekeeper.cookies.seed import seed_registry
from coursekeeper.cookies.tests.test_video_embed import directives
from coursekeeper.privacy.models import ProviderSettings

pytestmark = pytest.mark.django_db

META = "123456789012345"
ANALYTICS = "G-A1B2C3D4E5"
ADS = "AW-123456789"
LINKEDIN = "1234567"
STRICT = {
    "default-src": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "img-src": ["'self'", "data:"],
}


@pytest.fixture(autouse=True)
def seeded():
    seed_registry(RegistryEntry)


def configure(*, meta: str = META, google: str = ANALYTICS, linkedin: str = LINKEDIN) -> None:
    ProviderSettings.objects.update_or_create(
        pk=1,
        defaults={"meta_pixel_id": meta, "google_tag_id": google, "linkedin_partner_id": linkedin},
    )


def visitor(*accepted: str) -> Client:
    """A visitor whose device chose `accepted` (nothing optional when empty) for the registry now."""
    client = Client()
    choice = {"choice": "save", "categories": list(accepted), "next": "/"}
    assert client.post(reverse("cookies:choose"), choice).status_code == 302
    return client


def emitted(response) -> str:
    """Return the loader script's tag, or "" when the page emits none."""
    page = response.content.decode()
    start = page.find('<script src="/static/cookies/tags.js"')
    return "" if start < 0 else page[start : page.index("</script>", start)]


def test_r22_before_any_choice_no_tag_is_emitted_and_the_policy_stays_strict():
    configure()

    response = Client().get(reverse("web:home"))

    page = response.content.decode()
    assert emitted(response) == ""
    for host in ("facebook", "google", "linkedin", "licdn"):
        assert host not in page
    assert directives(response) == STRICT


def test_r22_refusing_everything_emits_no_tag():
    configure()

    response = visitor().get(reverse("web:home"))

    assert emitted(response) == ""
    assert directives(response) == STRICT


def test_r22_marketing_consent_loads_meta_and_linkedin_and_allows_exactly_their_origins():
    configure()

    response = visitor("marketing").get(reverse("web:home"))

    assert emitted(response) == (
        '<script src="/static/cookies/tags.js" defer data-meta-pixel="123456789012345" '
        'data-linkedin-partner="1234567">'
    )
    policy = directives(response)
    assert policy["script-src"] == [
        "'self'",
        "https://connect.facebook.net",
        "https://snap.licdn.com",
    ]
    assert policy["connect-src"] == [
        "'self'",
        "https://connect.facebook.net",
        "https://px.ads.linkedin.com",
        "https://www.facebook.com",
    ]
    assert policy["img-src"] == [
        "'self'",
        "data:",
        "https://px.ads.linkedin.com",
        "https://www.facebook.com",
    ]
    assert "frame-src" not in policy
    assert "Cookie" in [value.strip() for value in response["Vary"].split(",")]


def test_r22_google_analytics_waits_for_statistics_consent():
    configure()

    statistics = visitor("statistics").get(reverse("web:home"))

    assert emitted(statistics) == (
        '<script src="/static/cookies/tags.js" defer data-google-tag="G-A1B2C3D4E5">'
    )
    policy = directives(statistics)
    assert policy["script-src"] == ["'self'", "https://www.googletagmanager.com"]
    assert policy["connect-src"] == [
        "'self'",
        "https://*.analytics.google.com",
        "https://*.google-analytics.com",
        "https://www.googletagmanager.com",
    ]
    assert "facebook" not in statistics.content.decode()


def test_r22_google_ads_needs_marketing_consent_not_statistics():
    configure(meta="", linkedin="", google=ADS)

    statistics = visitor("statistics").get(reverse("web:home"))
    marketing = visitor("marketing").get(reverse("web:home"))

    assert emitted(statistics) == ""
    assert directives(statistics) == STRICT
    assert 'data-google-tag="AW-123456789"' in emitted(marketing)
    assert directives(marketing)["frame-src"] == [
        "'self'",
        "https://td.doubleclick.net",
        "https://www.googletagmanager.com",
    ]


def test_r22_all_accepted_loads_all_three_tags_from_one_script():
    configure()

    response = visitor("preferences", "statistics", "marketing").get(reverse("web:home"))

    assert emitted(response) == (
        '<script src="/static/cookies/tags.js" defer data-meta-pixel="123456789012345" '
        'data-google-tag="G-A1B2C3D4E5" data-linkedin-partner="1234567">'
    )


def test_r22_without_javascript_the_pixels_count_through_an_image_only_after_consent():
    configure()

    before = visitor("statistics").get(reverse("learning:catalogue")).content.decode()
    after = visitor("marketing").get(reverse("learning:catalogue")).content.decode()

    assert "<noscript>" not in before.split("</footer>")[1]
    noscript = after.split("</footer>")[1]
    assert (
        '<noscript><img src="https://www.facebook.com/tr?id=123456789012345&amp;ev=PageView'
        '&amp;noscript=1" width="1" height="1" alt="" hidden>'
        '<img src="https://px.ads.linkedin.com/collect/?pid=1234567&amp;fmt=gif" width="1" '
        'height="1" alt="" hidden></noscript>'
    ) in noscript


def test_r22_tags_never_run_on_pages_with_personal_data_or_tokens_in_their_address():
    configure()
    client = visitor("preferences", "statistics", "marketing")
    pages = [
        reverse("cookies:settings"),
        reverse("privacy:policy"),
        reverse("privacy:visitor_request"),
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("account_reset_password_from_key", kwargs={"uidb36": "abc", "key": "k-1"}),
    ]

    for path in pages:
        response = client.get(path)
        assert emitted(response) == "", path
        assert "script-src" not in directives(response), path


def test_r22_a_configured_tag_is_in_the_registry_and_the_choices_made_before_are_asked_again():
    client = visitor("marketing")
    before = registry.registry_version()
    names = {(e.name, e.provider) for e in registry.entries()}

    configure(google="", linkedin="")

    assert registry.registry_version() != before
    added = {(e.name, e.provider, e.category) for e in registry.entries()} - {
        (name, provider, category)
        for name, provider, category in RegistryEntry.objects.values_list(
            "name", "provider", "category"
        )
    }
    assert added == {
        ("_fbp", "Meta Platforms Ireland Limited", "marketing"),
        ("_fbc", "Meta Platforms Ireland Limited", "marketing"),
        ("fr", "Meta Platforms Ireland Limited", "marketing"),
    }
    home = client.get(reverse("web:home"))
    assert emitted(home) == ""  # the earlier choice no longer counts
    assert "The list of cookies we use has changed since you last chose" in home.content.decode()
    settings_page = client.get(reverse("cookies:settings")).content.decode()
    assert "<code>_fbp</code>" in settings_page
    assert (
        "Third parties in this category: Google Ireland Limited (YouTube), Vimeo.com, Inc., Meta Platforms Ireland Limited."
        in settings_page
    )

    configure(meta="", google="", linkedin="")

    assert registry.registry_version() == before
    assert {(e.name, e.provider) for e in registry.entries()} == names
    assert RegistryEntry.objects.filter(provider__startswith="Meta").count() == 0  # never stored


def test_r22_a_google_id_files_its_cookies_under_the_category_it_needs():
    analytics = {
        e.name: e.category for e in tags.registry_entries(tags.tags_from(google_tag_id=ANALYTICS))
    }
    ads = {e.name: e.category for e in tags.registry_entries(tags.tags_from(google_tag_id=ADS))}

    assert analytics == {"_ga": "statistics", "_ga_*": "statistics"}
    assert ads == {"_gcl_au": "marketing", "IDE": "marketing"}


def test_r22_each_tag_kind_loads_only_from_https_origins_it_names():
    for kind in tags.TAG_KINDS:
        assert set(kind.sources) <= {"script-src", "img-src", "connect-src", "frame-src"}
        for origins in kind.sources.values():
            assert all(origin.startswith("https://") for origin in origins), kind.code
        if kind.noscript_image:
            assert kind.noscript_image.startswith(kind.sources["img-src"])
