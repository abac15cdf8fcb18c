"""R2: wrong two-factor codes are limited per account and per address, in the security log.

Reaching the code step takes the right password; these tests stand for somebody who has it and
guesses the authenticator code. Time is frozen (and moved on explicitly), so the codes and the
limits' windows are the same on a slow machine.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import PASSWORD, StaffFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.security.models import SecurityEvent

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PAUSED = "Too many wrong codes."


@pytest.fixture(autouse=True)
def _forget_used_codes():
    # allauth remembers used codes per account id in the cache, which outlives a test's rows.
    cache.clear()


def staff_with_authenticator(**kwargs):
    staff = StaffFactory(**kwargs)
    TOTP.activate(staff, SECRET)
    return staff


def right_code() -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // mfa_settings.TOTP_PERIOD))


def wrong_code() -> str:
    """Return a code that is valid for no counter allauth accepts at this (frozen) moment."""
    valid = {format_hotp_value(hotp_value(SECRET, c)) for c in yield_hotp_counters_from_time()}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in valid)


def at_code_step(email: str, ip: str) -> Client:
    """Return a browser from `ip` that has given the right password and is asked for a code."""
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=FIREFOX_LINUX)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    return client


def send_code(client: Client, code: str):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def kinds_for(user) -> dict[str, int]:
    kinds = SecurityEvent.objects.filter(user=user).values_list("kind", flat=True)
    return {kind: list(kinds).count(kind) for kind in set(kinds)}


def test_r2_sixty_wrong_codes_pause_the_account_even_for_the_right_code_until_the_cool_off(
    smtp_server,
):
    staff = staff_with_authenticator()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = at_code_step(staff.email, "198.51.100.40")

        answers = [send_code(client, wrong_code()).status_code for _guess in range(60)]
        right_here = send_code(client, right_code())
        # A fresh sign-in from another address does not start the count again.
        elsewhere = at_code_step(staff.email, "203.0.113.41")
        right_elsewhere = send_code(elsewhere, right_code())

        # The first four wrong codes are only wrong; the fifth starts the pause.
        assert answers == [200] * 4 + [429] * 56
        assert (right_here.status_code, right_elsewhere.status_code) == (429, 429)
        assert PAUSED in right_here.content.decode()
        assert "_auth_user_id" not in client.session
        assert "_auth_user_id" not in elsewhere.session
        # Every refused code is one row; the pause is one row; nothing says "signed in".
        assert kinds_for(staff) == {"second_factor_failed": 62, "second_factor_locked": 1}
        assert (
            SecurityEvent.objects.filter(
                user=staff, kind="second_factor_failed", ip="198.51.100.40"
            ).count()
            == 61
        )
        assert list(
            SecurityEvent.objects.filter(kind="second_factor_locked").values_list(
                "user", "ip", "user_agent"
            )
        ) == [(staff.pk, "198.51.100.40", FIREFOX_LINUX)]

        # The owner hears of it once, however many codes followed.
        (notice,) = smtp_server.wait_for(staff.email)
        assert notice.subject == "Wrong two-factor codes on your account"
        assert "paused for 60 minutes" in notice.text
        assert wrong_code() not in notice.text
        assert "198.51.100.40" not in notice.text
        assert OutboxMessage.objects.filter(recipient=staff).count() == 1
        assert len(smtp_server.to(staff.email)) == 1

        # After the cool-off the right code signs in (the unfinished sign-in expired meanwhile).
        traveller.shift(dt.timedelta(minutes=60, seconds=1))
        later = at_code_step(staff.email, "198.51.100.40")
        response = send_code(later, right_code())

    assert response.status_code == 302
    assert later.session["_auth_user_id"] == str(staff.pk)


def test_r2_four_wrong_codes_leave_the_right_one_working():
    staff = staff_with_authenticator()
    with time_machine.travel(timezone.now(), tick=False):
        client = at_code_step(staff.email, "198.51.100.42")
        wrong = [send_code(client, wrong_code()) for _guess in range(4)]
        right = send_code(client, right_code())

    assert [response.status_code for response in wrong] == [200] * 4
    assert "Incorrect code." in wrong[-1].content.decode()
    assert right.status_code == 302
    assert kinds_for(staff) == {"second_factor_failed": 4, "signed_in": 1}


def test_r2_a_paused_account_refuses_a_recovery_code_too_and_keeps_it_unused():
    staff = staff_with_authenticator()
    recovery_code = RecoveryCodes.activate(staff).get_unused_codes()[0]
    with time_machine.travel(timezone.now(), tick=False):
        client = at_code_step(staff.email, "198.51.100.45")
        for _guess in range(5):
            send_code(client, wrong_code())
        response = send_code(client, recovery_code)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    recovery = Authenticator.objects.get(user=staff, type="recovery_codes")
    assert recovery.data["used_mask"] == 0
    assert recovery.last_used_at is None


def test_r2_one_address_guessing_across_accounts_is_paused_for_every_account(smtp_server):
    # Four wrong codes at each of five accounts: no account reaches its limit, the address does.
    guessed = [staff_with_authenticator() for _person in range(5)]
    target = staff_with_authenticator()
    with time_machine.travel(timezone.now(), tick=False):
        for staff in guessed:
            client = at_code_step(staff.email, "192.0.2.90")
            answers = [send_code(client, wrong_code()).status_code for _guess in range(4)]
        from_there = send_code(at_code_step(target.email, "192.0.2.90"), right_code())
        from_elsewhere = send_code(at_code_step(target.email, "192.0.2.91"), right_code())

    assert answers == [200, 200, 200, 429]
    assert from_there.status_code == 429
    assert PAUSED in from_there.content.decode()
    assert from_elsewhere.status_code == 302
    assert list(
        SecurityEvent.objects.filter(kind="second_factor_locked").values_list("user", "ip")
    ) == [(None, "192.0.2.90")]
    # An address pause names no account, so nobody is sent a notice.
    assert OutboxMessage.objects.count() == 0


def test_r2_the_notice_is_queued_in_the_persons_language():
    staff = staff_with_authenticator(language="da")
    with time_machine.travel(timezone.now(), tick=False):
        client = at_code_step(staff.email, "198.51.100.43")
        for _guess in range(5):
            send_code(client, wrong_code())

    assert list(OutboxMessage.objects.values_list("recipient", "language", "template")) == [
        (staff.pk, "da", "accounts/email/second_factor_paused")
    ]


def test_r2_confirming_a_signed_in_session_with_a_code_is_limited_too():
    staff = staff_with_authenticator()
    client = Client(REMOTE_ADDR="198.51.100.44")
    client.force_login(staff)
    with time_machine.travel(timezone.now(), tick=False):
        answers = [
            client.post(reverse("mfa_reauthenticate"), {"code": wrong_code()})
            for _guess in range(5)
        ]
        right = client.post(reverse("mfa_reauthenticate"), {"code": right_code()})

    assert "Incorrect code." in answers[0].content.decode()
    assert PAUSED in answers[4].content.decode()
    assert right.status_code == 200
    assert PAUSED in right.content.decode()
    assert kinds_for(staff) == {"second_factor_failed": 6, "second_factor_locked": 1}
