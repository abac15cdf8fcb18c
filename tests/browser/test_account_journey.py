"""A person's whole account journey through the real pages, in Chromium."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import Page, expect

from coursekeeper.accounts.models import User

PASSWORD = "a quiet lake at dawn 42"
TIMEOUT_MS = 15_000


def new_page(browser) -> Page:
    """A fresh browser context (its own cookies: one session) with an English browser."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def cookie(page: Page, name: str) -> str | None:
    values = [c["value"] for c in page.context.cookies() if c["name"] == name]
    return values[0] if values else None


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + reverse("account_login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(base_url + reverse("learning:dashboard"))


def header_sign_out(page: Page):
    return page.locator(f"header form[action='{reverse('account_logout')}'] button")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_journey_from_sign_up_to_ending_another_session(
    browser, live_server, smtp_server, token
):
    """R1, R2, R3, R27: sign up, verify, sign in and out, pick a language, end another session.

    R1: sign-up asks for name, email, password and the 18-or-older confirmation, and the address
    is verified through a link in a real email. R2: signing in and out with email and password.
    R3: the language chosen in the footer is stored in the person's profile and follows them to
    another device. R27: the person ends one of their sessions from another one.
    """
    base = live_server.url
    first_name = f"Åse{token}"
    full_name = f"{first_name} Journey-Sørensen"
    email = f"journey-{token}@example.org"
    pages = []

    try:
        # 1. Sign up.
        page = new_page(browser)
        pages.append(page)
        page.goto(base + reverse("account_signup"))
        form = page.locator("main form")
        form.get_by_label("Full name").fill(full_name)
        form.get_by_label("Email").fill(email)
        form.get_by_label("Password").fill(PASSWORD)
        form.get_by_label("I confirm that I am 18 or older.").check()
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(base + reverse("account_email_verification_sent"))

        person = User.objects.get(email=email)
        assert person.full_name == full_name
        assert person.language == "en"
        assert person.adult_confirmed_at is not None
        address = EmailAddress.objects.get(user=person)
        assert (address.email, address.primary, address.verified) == (email, True, False)

        # 2. The verification email, through the local SMTP server.
        (mail,) = smtp_server.wait_for(email)
        assert mail.recipients == [email]
        assert mail.subject == "Please Confirm Your Email Address"
        assert f"an account at {base.removeprefix('http://')}." in mail.text
        links = re.findall(r"https?://\S+", mail.text)
        confirm_links = [link for link in links if "/accounts/confirm-email/" in link]
        assert len(confirm_links) == 1, mail.text
        link = confirm_links[0]
        assert link.startswith(f"{base}/accounts/confirm-email/")

        # 3. Follow the link as it is and confirm.
        page.goto(link)
        expect(page.locator("main h1")).to_have_text("Confirm Email Address")
        page.locator("main form").get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(base + reverse("account_login"))
        address.refresh_from_db()
        assert address.verified is True

        # 4. Sign in, sign out with the header's button, sign in again.
        sign_in(page, base, email)
        expect(page.get_by_text(f"Good to see you, {first_name}.")).to_be_visible()
        signed_out_key = cookie(page, "sessionid")
        assert Session.objects.filter(session_key=signed_out_key).exists()
        header_sign_out(page).click()
        expect(page).to_have_url(base + "/")
        expect(header_sign_out(page)).to_have_count(0)
        expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()
        assert not Session.objects.filter(session_key=signed_out_key).exists()
        sign_in(page, base, email)
        expect(page.get_by_text(f"Good to see you, {first_name}.")).to_be_visible()

        # 5. Switch to German with the footer's language buttons.
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.locator("footer").get_by_role("button", name="Deutsch").click()
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page).to_have_url(base + reverse("learning:dashboard"))
        expect(page.locator("footer").get_by_role("button", name="Deutsch")).to_have_attribute(
            "aria-current", "true"
        )
        person.refresh_from_db()
        assert person.language == "de"
        assert cookie(page, "coursekeeper_language") == "de"

        # 6. A second session of the same person, on another "device".
        other = new_page(browser)
        pages.append(other)
        sign_in(other, base, email)
        # The profile's language follows the person to the new device.
        expect(other.locator("html")).to_have_attribute("lang", "de")
        other.goto(base + reverse("accounts:sessions"))
        expect(other).to_have_url(base + reverse("accounts:sessions"))

        first_key = cookie(page, "sessionid")
        other_key = cookie(other, "sessionid")
        assert first_key and other_key and first_key != other_key
        other_session = UserSession.objects.get(user=person, session_key=other_key)

        page.goto(base + reverse("accounts:sessions"))
        end_buttons = page.locator("main button[data-session]")
        expect(end_buttons).to_have_count(1)
        expect(end_buttons).to_have_attribute("data-session", str(other_session.pk))
        end_buttons.click()
        expect(page).to_have_url(base + reverse("accounts:sessions"))
        expect(page.locator("main button[data-session]")).to_have_count(0)

        assert list(
            UserSession.objects.filter(user=person).values_list("session_key", flat=True)
        ) == [first_key]
        assert not Session.objects.filter(session_key=other_key).exists()

        # The other device is signed out: a page that needs login sends it to the login page.
        other.reload()
        sessions_path = reverse("accounts:sessions")
        expect(other).to_have_url(f"{base}{reverse('account_login')}?next={sessions_path}")
        expect(header_sign_out(other)).to_have_count(0)

        # This device is still signed in.
        page.reload()
        expect(page).to_have_url(base + reverse("accounts:sessions"))
        expect(header_sign_out(page)).to_have_count(1)
        expect(page.locator("html")).to_have_attribute("lang", "de")
        assert Session.objects.filter(session_key=first_key).exists()

        # Signing in again from the same browser sent no "new place" notice: one mail in all.
        assert len(smtp_server.to(email)) == 1
    finally:
        for opened in pages:
            opened.context.close()
