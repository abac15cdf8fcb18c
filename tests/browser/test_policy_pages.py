"""R21, R41, R42 in Chromium: the privacy policy, the cookie policy, the version history and the
comparison of two versions are valid HTML and pass WCAG 2.2 AA checks in Danish, German and
English; a signed-in person reads the notice of a coming version on their pages, follows it to
what changes and hides it, without JavaScript."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.cookies.models import RegistryEntry
from coursekeeper.cookies.seed import seed_registry
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.publishing import publish_policy
from coursekeeper.privacy.tests.test_pages import PROVIDER
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Elements whose end tag HTML lets a page leave out; the templates close them anyway.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option"}


class BalanceChecker(HTMLParser):
    """Parse a page and record every end tag that does not close the element open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> with {self.stack[-3:]} open")
            return
        self.stack.pop()


def html_problems(source: str) -> list[str]:
    checker = BalanceChecker()
    checker.feed(source)
    checker.close()
    duplicates = sorted({i for i in checker.ids if checker.ids.count(i) > 1})
    return checker.problems + [f"duplicate id {i}" for i in duplicates]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["da-DK", "de-DE", "en-US"])
def test_r21_r41_r42_the_policy_pages_are_valid_and_accessible(browser, live_server, locale):
    seed_registry(RegistryEntry)
    ProviderSettings.objects.update_or_create(pk=1, defaults={**PROVIDER, "dpo_name": "Ida Holm"})
    owner = StaffFactory(role=Role.OWNER)
    publish_policy(acting_user=owner)
    RecipientFactory(
        name="Video Calls Inc.",
        location="USA",
        outside_eea=True,
        safeguard="dpf",
        purposes=["account"],
        categories=["identity"],
    )
    publish_policy(acting_user=owner)
    context = browser.new_context(locale=locale)
    page = context.new_page()
    language = locale[:2]

    for path in (
        reverse("privacy:policy"),
        reverse("privacy:cookie_policy"),
        reverse("privacy:policy_versions"),
        reverse("privacy:policy_version", args=[2]),
        reverse("privacy:policy_diff", args=[1, 2]),
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language, path
        assert html_problems(page.content()) == [], path
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert accessibility_violations(page) == [], path
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["da", "de"])
def test_r21_a_signed_in_person_reads_follows_and_hides_the_coming_change(
    browser, live_server, language
):
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    owner = StaffFactory(role=Role.OWNER)
    publish_policy(acting_user=owner)
    RecipientFactory(name="Mail Relay GmbH")
    version = publish_policy(acting_user=owner)  # material: in effect four weeks from now
    reader = Client()
    reader.force_login(UserFactory(language=language))
    page = new_page(browser)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": reader.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    with translation.override(language):
        title = translation.gettext("Our privacy policy is changing")
        sentence = translation.gettext("A new version takes effect on %(date)s.") % {
            "date": formats.date_format(version.effective_at, "DATE_FORMAT")
        }
        see_changes = translation.gettext("See what changes")
        hide = translation.gettext("Hide this notice")

    page.goto(live_server.url + reverse("learning:catalogue"))
    notice = page.get_by_role("region", name=title)

    assert page.locator("html").get_attribute("lang") == language
    assert sentence in notice.inner_text()
    assert html_problems(page.content()) == []
    assert accessibility_violations(page) == []
    notice.get_by_role("link", name=see_changes).click()
    assert page.url == live_server.url + reverse("privacy:policy_diff", args=[1, 2])
    page.goto(live_server.url + reverse("learning:catalogue"))
    page.get_by_role("region", name=title).get_by_role("button", name=hide).click()
    page.wait_for_load_state()
    assert page.url == live_server.url + reverse("learning:catalogue")
    assert page.get_by_role("region", name=title).count() == 0
    page.goto(live_server.url + reverse("web:home"))
    assert page.get_by_role("region", name=title).count() == 0
    page.context.close()
