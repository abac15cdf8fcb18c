"""Sign-in: throttling, notices of new places, two-factor for staff (R2)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, StaffFactory, UserFactory
from coursekeeper.accounts.models import SignInFingerprint

pytestmark = pytest.mark.django_db(transaction=True)

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def browser(ip: str, user_agent: str) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)


def current_code(secret: str) -> str:
    """Return the code of the current period; near its end, wait for the next one, so a slow
    machine does not send a code that expired on the way."""
    # allauth remembers used codes per account id in the cache, which outlives a test's rolled
    # back rows: a later test's account with the same id would find its code "already used".
    cache.clear()
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def test_r2_learner_signs_in_with_email_in_any_case():
    person = UserFactory()

    response = sign_in(Client(), person.email.upper())

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:dashboard")


def test_r2_wrong_password_gets_a_clear_message_and_no_session():
    person = UserFactory()
    client = Client()

    response = sign_in(client, person.email, "not the password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_r2_lockout_message_is_translated():
    person = UserFactory()
    for _attempt in range(5):
        sign_in(browser("192.0.2.5", FIREFOX_LINUX), person.email, "wrong")

    client = Client(REMOTE_ADDR="192.0.2.5", HTTP_ACCEPT_LANGUAGE="de")
    response = sign_in(client, person.email)

    assert response.status_code == 429
    assert 'lang="de"' in response.content.decode()
    assert "Zu viele Versuche" in response.content.decode()


def test_r2_successful_sign_in_clears_earlier_failures():
    person = UserFactory()
    client = browser("192.0.2.10", FIREFOX_LINUX)
    for _attempt in range(3):
        sign_in(client, person.email, "wrong")

    assert sign_in(client, person.email).status_code == 302
    assert AccessAttempt.objects.filter(username=person.email).count() == 0


def test_r2_sign_in_from_a_new_network_or_browser_sends_a_notice(smtp_server):
    person = UserFactory()

    sign_in(browser("198.51.100.20", FIREFOX_LINUX), person.email)  # first ever: no notice
    sign_in(browser("198.51.100.99", FIREFOX_LINUX), person.email)  # same /24 and browser
    sign_in(browser("203.0.113.5", FIREFOX_LINUX), person.email)  # new network
    sign_in(browser("203.0.113.5", SAFARI_MAC), person.email)  # new browser

    notices = smtp_server.wait_for(person.email, count=2)
    time.sleep(0.2)
    assert len(smtp_server.to(person.email)) == 2
    assert all(mail.subject == "A new sign-in to your account" for mail in notices)
    assert "Firefox on Linux" in notices[0].text
    assert "Safari on Mac OS X" in notices[1].text
    # Neither the address nor the browser string is stored or mailed.
    assert "203.0.113.5" not in notices[0].text
    assert SignInFingerprint.objects.filter(user=person).count() == 3
    for fingerprint in SignInFingerprint.objects.filter(user=person):
        assert len(fingerprint.fingerprint) == 64
        assert "203.0.113" not in fingerprint.fingerprint


def test_r2_notice_is_written_in_the_persons_language(smtp_server):
    person = UserFactory(language="da")
    sign_in(browser("198.51.100.20", FIREFOX_LINUX), person.email)

    sign_in(browser("203.0.113.5", FIREFOX_LINUX), person.email)

    (notice,) = smtp_server.wait_for(person.email)
    assert notice.subject == "Nyt login på din konto"


def test_r2_staff_member_without_authenticator_must_set_one_up_first():
    staff = StaffFactory()
    client = Client()
    sign_in(client, staff.email)

    for path in (reverse("web:home"), reverse("accounts:profile"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # Setting up the authenticator asks for the password once more (allauth's reauthentication).
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(setup.redirect_chain[-1][0], {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_r2_staff_member_with_authenticator_needs_the_code_to_sign_in():
    staff = StaffFactory()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(staff, secret)
    client = Client()

    response = sign_in(client, staff.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_r2_learner_is_not_asked_for_two_factor():
    person = UserFactory()
    client = Client()
    sign_in(client, person.email)

    assert client.get(reverse("accounts:profile")).status_code == 200


def test_r2_administration_sign_in_goes_through_the_throttled_login():
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("factory", "idle_hours", "signed_out"),
    [(UserFactory, 24 * 6, False), (UserFactory, 24 * 8, True), (StaffFactory, 3, True)],
)
def test_r2_a_session_ends_after_a_period_of_inactivity(factory, idle_hours, signed_out):
    import time_machine
    from django.utils import timezone

    person = factory()
    if person.requires_two_factor:
        TOTP.activate(person, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, person.email)
        if person.requires_two_factor:
            client.post(
                reverse("mfa_authenticate"),
                {"code": current_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")},
            )
        assert client.get(reverse("accounts:profile")).status_code == 200
        traveller.shift(idle_hours * 3600)

        response = client.get(reverse("accounts:profile"))

    if signed_out:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == 200


def test_r2_password_reset_mails_a_link_that_sets_a_new_password(smtp_server):
    import re

    person = UserFactory()
    client = Client()

    client.post(reverse("account_reset_password"), {"email": person.email.upper()})
    (mail,) = smtp_server.wait_for(person.email)
    found = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.text)
    assert found is not None
    link = found.group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a brand new passphrase")
    assert person.password.startswith("argon2$argon2id$")


def test_r2_password_reset_for_an_unknown_address_looks_the_same(smtp_server, token):
    response = Client().post(
        reverse("account_reset_password"), {"email": f"nobody-{token}@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
