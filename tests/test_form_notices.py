"""R44: every form in which a person types their own data shows the notice beside it.

The forms are found by requesting every route of the URLconf as a visitor and as a learner and
reading each page's HTML, not from a list: a form added later is checked the moment it exists.
A form "collects personal data" when it posts something a person types (text, email, phone,
a password, a date, free text); a form of buttons only (enrol, mark done, choose cookies) or a
search that only filters (GET) collects nothing. Staff pages are left out: staff type other
people's data there, and the notice is for the person whose data it is.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce.factories import PriceFactory, ProductFactory
from coursekeeper.learning.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.test_role_url_matrix import _routes

pytestmark = pytest.mark.django_db

TYPED = {"text", "email", "tel", "password", "date", "number", "url", "search", ""}
NOT_TYPED_BY_A_PERSON = {"csrfmiddlewaretoken", "submission_key", "next", "request_key"}


class _Forms(HTMLParser):
    """Collect each POST form's typed fields, and whether the page has the privacy notice."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[str]] = []
        self.notice = False
        self._method: str | None = None
        # A GET form of hidden fields and a button leads to the next step of the same page
        # ("Cancel contracts here" opens the cancellation form): its query, to follow.
        self.next_steps: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "privacy-notice" in (attributes.get("class") or "").split():
            self.notice = True
        if tag == "form":
            self._method = (attributes.get("method") or "get").lower()
            self.forms.append([])
            if self._method == "get" and not attributes.get("action"):
                self.next_steps.append({})
        elif self._method == "get" and tag == "input" and self.next_steps:
            if (attributes.get("type") or "").lower() == "hidden":
                self.next_steps[-1][attributes.get("name") or ""] = attributes.get("value") or ""
            else:
                self.next_steps[-1]["typed"] = "yes"  # a search: not a step
        elif self._method == "post" and tag in {"input", "textarea"}:
            kind = (attributes.get("type") or "").lower() if tag == "input" else "textarea"
            name = attributes.get("name") or ""
            if (kind in TYPED or kind == "textarea") and name not in NOT_TYPED_BY_A_PERSON:
                self.forms[-1].append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._method = None


def _pages(client: Client, world: dict) -> dict[str, str]:
    pages = {}
    for name, route, _callback, parameters in _routes():
        if route.startswith(("staff/", "teach/")) or name.startswith("admin"):
            continue
        kwargs = {parameter: world.get(f"{name}.{parameter}", world.get(parameter, "x"))
                  for parameter in parameters}  # fmt: skip
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # a parameter the sample cannot fill (a number): no page
            continue
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[url] = response.content.decode()
            parser = _Forms()
            parser.feed(pages[url])
            for step in parser.next_steps:
                if step and "typed" not in step:
                    following = client.get(url, step)
                    if following.status_code == 200:
                        pages[f"{url}?{following.request['QUERY_STRING']}"] = (
                            following.content.decode()
                        )
    return pages


@pytest.fixture
def world():
    course = CourseFactory(is_published=True)
    free = LessonFactory(module=ModuleFactory(course=course), is_free_sample=True)
    product = ProductFactory()
    product.courses.add(course)
    PriceFactory(product=product)
    return {
        "slug": course.slug,
        "lesson_id": free.pk,
        "checkout:start.slug": product.slug,
    }


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "learner"])
def test_r44_every_form_that_takes_a_persons_own_data_shows_the_notice(world, signed_in):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if signed_in:
        client.force_login(UserFactory())

    pages = _pages(client, world)
    assert len(pages) > 15  # the URLconf was crawled, not a stub

    missing = []
    for url, html in pages.items():
        parser = _Forms()
        parser.feed(html)
        collecting = [fields for fields in parser.forms if fields]
        if collecting and not parser.notice:
            missing.append(f"{url}: {collecting}")
    assert missing == [], "\n".join(missing)
