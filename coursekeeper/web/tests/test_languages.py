"""Danish, German and English: chosen, switched, remembered, shown in the locale."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("accept_language", "lang", "sign_in_label"),
    [
        ("da-DK,da;q=0.9,en;q=0.5", "da", "Log ind"),
        ("de-DE,de;q=0.9", "de", "Anmelden"),
        ("en-GB,en;q=0.9", "en", "Sign in"),
        ("fr-FR,fr;q=0.9", "en", "Sign in"),
    ],
)
def test_language_is_chosen_from_accept_language(accept_language, lang, sign_in_label):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get(reverse("web:home"))

    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert sign_in_label in page
    assert response["Content-Language"] == lang


def test_visitor_switches_language_on_any_page_without_javascript():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("web:switch_language"), {"language": "de", "next": reverse("account_login")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert '<html lang="de">' in client.get(reverse("account_login")).content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("web:switch_language"), {"language": "xx", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "coursekeeper_language" not in response.cookies


def test_signed_in_persons_choice_is_remembered_in_the_profile():
    person = UserFactory(language="en")
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    client.post(reverse("web:switch_language"), {"language": "da", "next": "/"})

    person.refresh_from_db()
    assert person.language == "da"
    # A new browser (no cookie, English Accept-Language) still gets Danish after signing in.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert '<html lang="da">' in other.get(reverse("web:home")).content.decode()


def test_signup_remembers_the_language_the_person_signed_up_in(token):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.post(
        reverse("account_signup"),
        {
            "full_name": f"Greta {token}",
            "email": f"greta-{token}@example.org",
            "password1": "ein langer satz als passwort",
            "adult_confirmed": "on",
        },
    )

    from coursekeeper.accounts.models import User

    person = User.objects.get(email=f"greta-{token}@example.org")
    assert (person.language, person.time_zone) == ("de", "Europe/Berlin")


@pytest.mark.parametrize(
    ("language", "time_zone", "expected"),
    [
        ("de", "Europe/Berlin", "1. März 2026 13:00"),
        ("da", "Europe/Copenhagen", "1. marts 2026 13:00"),
        ("en", "Europe/London", "1 March 2026 12:00"),
    ],
)
def test_dates_and_times_follow_the_persons_locale_and_time_zone(language, time_zone, expected):
    person = UserFactory(language=language, time_zone=time_zone)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        client = Client()
        client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
        page = client.get(reverse("accounts:sessions")).content.decode()

    assert expected in page
