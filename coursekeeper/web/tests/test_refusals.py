"""One way to refuse (R44's "clear, translated message"; the conventions' one domain error base):
the shared decorator and the one helper that puts a refusal on the form the person sent."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.privacy.register import RegisterError
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Read the messages in English, whatever language a page before left active."""
    with translation.override("en"):
        yield


class NoteForm(forms.Form):
    subject = forms.CharField()
    note = forms.CharField()


def _request(path: str = "/somewhere/", **headers):
    request = RequestFactory().post(path, **headers)
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def test_a_refusal_goes_beside_the_field_it_names_and_keeps_what_was_typed():
    form = NoteForm({"subject": "Hello", "note": "Typed with care"})
    assert form.is_valid()

    status = show_on_form(form, RegisterError("name_needed", field_name="note"))

    assert status == 400
    assert form.errors == {"note": ["Give the recipient's name."]}
    assert form["subject"].value() == "Hello"


def test_a_refusal_the_view_places_or_about_no_field_goes_above_the_form():
    placed, whole, unknown = (NoteForm({"subject": "a", "note": "b"}) for _form in range(3))
    for form in (placed, whole, unknown):
        form.is_valid()

    show_on_form(placed, NewsletterError("no_language"), field="subject")
    show_on_form(whole, NewsletterError("no_language"))
    show_on_form(unknown, NewsletterError("no_language"), field="not_on_this_form")

    text = "Write the subject and the text in at least one language."
    assert placed.errors == {"subject": [text]}
    assert whole.non_field_errors() == unknown.non_field_errors() == [text]


@pytest.mark.parametrize("code", ["not_allowed", "newsletter_not_found"])
def test_a_refusal_of_the_page_itself_is_raised_again_for_the_page(code):
    form = NoteForm({"subject": "a", "note": "b"})
    form.is_valid()
    refusal = NewsletterError(code)

    with pytest.raises(NewsletterError) as raised:
        show_on_form(form, refusal)

    assert raised.value is refusal
    assert form.errors == {}


def test_the_decorator_answers_with_the_translated_message_and_the_refusals_status():
    @refusals_as_pages
    def view(request):
        raise NewsletterError("newsletter_not_found")

    with translation.override("da"):
        page = view(_request())
    answer = view(_request(HTTP_ACCEPT="application/json"))

    assert page.status_code == 404
    assert "Nyhedsbrevet findes ikke." in page.content.decode()
    assert "Ikke muligt" in page.content.decode()
    assert (answer.status_code, json.loads(answer.content)) == (
        404,
        {"error": "There is no such newsletter."},
    )


def test_the_decorator_may_answer_with_a_page_of_the_views_own_flow_and_a_way_back():
    @refusals_as_pages(template="newsletter/confirm.html")
    def confirm(request):
        raise NewsletterError("link_invalid")

    @refusals_as_pages
    def elsewhere(request):
        raise NewsletterError("not_a_draft")

    own = confirm(_request())
    back = elsewhere(_request(HTTP_REFERER="http://testserver/staff/newsletters/7/"))
    foreign = elsewhere(_request(HTTP_REFERER="https://elsewhere.example/"))

    assert own.status_code == 400
    assert "This confirmation link has expired or was already used." in own.content.decode()
    assert "Sign up again" in own.content.decode()
    assert 'href="http://testserver/staff/newsletters/7/"' in back.content.decode()
    assert "elsewhere.example" not in foreign.content.decode()


def test_a_view_that_does_not_refuse_answers_as_it_would_without_the_decorator():
    @refusals_as_pages
    def view(request):
        return HttpResponse("fine", status=201)

    response = view(_request())

    assert (response.status_code, response.content) == (201, b"fine")
