"""Sign-in lockouts that stop a guesser without locking the owner out (R2).

Failures count against the pair of account and address (5 an hour) and against the address on
its own (20 an hour, across accounts); the owner lifts their account's lockouts with an emailed
link; the address is the one the trusted-proxy rule names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.models import UnlockLink
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.security.models import SecurityEvent

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS_A = "198.51.100.7"
ADDRESS_B = "203.0.113.20"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts sign-ins per address in the cache, which outlives a test's rows."""
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def from_address(ip: str, **headers: Any) -> Client:
    return Client(REMOTE_ADDR=ip, **headers)


def fail(times: int, email: str, ip: str, **headers: str) -> None:
    for _attempt in range(times):
        sign_in(from_address(ip, **headers), email, "not the password")


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("learning:dashboard")


def failures_recorded(email: str) -> int:
    return sum(a.failures_since_start for a in AccessAttempt.objects.filter(username=email))


# --- Account and address together -----------------------------------------------------------


def test_r2_five_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere():
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)

    elsewhere = sign_in(from_address(ADDRESS_B), owner.email)
    from_a = sign_in(from_address(ADDRESS_A), owner.email)

    assert signed_in(elsewhere)
    assert from_a.status_code == 429
    assert "Signing in is paused after too many wrong passwords." in from_a.content.decode()


def test_r2_four_wrong_passwords_from_one_address_do_not_lock_the_account_there():
    owner = UserFactory()
    fail(4, owner.email, ADDRESS_A)

    assert signed_in(sign_in(from_address(ADDRESS_A), owner.email))


def test_r2_an_address_is_throttled_after_twenty_failures_across_accounts():
    people = UserFactory.create_batch(22)
    for person in people[:19]:
        fail(1, person.email, ADDRESS_A)
    # 19 failures: the address may still sign in.
    assert signed_in(sign_in(from_address(ADDRESS_A), people[20].email))

    fail(1, people[19].email, ADDRESS_A)

    refused = sign_in(from_address(ADDRESS_A), people[21].email)
    assert refused.status_code == 429
    assert signed_in(sign_in(from_address(ADDRESS_B), people[21].email))


def test_r2_signing_in_to_an_own_account_does_not_wipe_the_address_count():
    guesser = UserFactory()
    victims = UserFactory.create_batch(20)
    for victim in victims[:19]:
        fail(1, victim.email, ADDRESS_A)

    assert signed_in(sign_in(from_address(ADDRESS_A), guesser.email))
    fail(1, victims[19].email, ADDRESS_A)

    assert AccessAttempt.objects.filter(ip_address=ADDRESS_A).count() == 20
    assert sign_in(from_address(ADDRESS_A), guesser.email).status_code == 429


# --- The emailed unlock link ----------------------------------------------------------------


def request_unlock(client: Client, email: str):
    return client.post(reverse("account_unlock_request"), {"email": email})


def unlock_path(text: str) -> str:
    match = re.search(r"http://testserver(/accounts/unlock/[^\s/]+/)", text)
    assert match, text
    return match.group(1)


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_r2_the_locked_out_page_offers_an_unlock_link():
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)

    page = sign_in(from_address(ADDRESS_A), owner.email).content.decode()

    assert f'action="{reverse("account_unlock_request")}"' in page
    assert "Email me an unlock link" in page


def test_r2_the_unlock_link_lifts_the_lockout_once(smtp_server):
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)
    locked_client = from_address(ADDRESS_A)

    answer = request_unlock(locked_client, owner.email.upper())
    (mail,) = smtp_server.wait_for(owner.email)
    link = unlock_path(mail.text)

    assert answer.status_code == 200
    assert mail.subject == "A link to sign in again"
    assert locked_client.get(link).status_code == 200
    # Only the digest is stored, and the mail's text leaves the outbox once sent.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert UnlockLink.objects.filter(user=owner).values_list("token_digest", flat=True)[0] != token
    assert OutboxMessage.objects.get(template="accounts/unlock").body_text == ""

    used = locked_client.post(link)

    assert used.status_code == 200
    assert "The pause is lifted" in used.content.decode()
    assert failures_recorded(owner.email) == 0
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCKED, user=owner).count() == 1

    # A second use changes nothing: new failures stay counted.
    fail(2, owner.email, ADDRESS_A)
    reused = locked_client.post(link)
    assert reused.status_code == 400
    assert "This link has expired or was already used." in reused.content.decode()
    assert failures_recorded(owner.email) == 2
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCKED, user=owner).count() == 1
    assert signed_in(sign_in(locked_client, owner.email))


def test_r2_the_unlock_link_expires_after_an_hour(smtp_server):
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)
    request_unlock(from_address(ADDRESS_A), owner.email)
    link = unlock_path(smtp_server.wait_for(owner.email)[0].text)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        shown = from_address(ADDRESS_A).get(link)
        used = from_address(ADDRESS_A).post(link)

    assert shown.status_code == 400
    assert used.status_code == 400
    assert failures_recorded(owner.email) == 5
    assert UnlockLink.objects.get(user=owner).used_at is None


def test_r2_asking_for_an_unlock_link_never_tells_whether_the_account_exists(token):
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)

    known = request_unlock(from_address(ADDRESS_A), owner.email)
    unknown = request_unlock(from_address(ADDRESS_B), f"nobody-{token}@example.org")

    assert known.status_code == unknown.status_code == 200
    assert without_csrf_tokens(known.content.decode()) == without_csrf_tokens(
        unknown.content.decode()
    )
    assert UnlockLink.objects.filter(user=owner).count() == 1
    assert OutboxMessage.objects.filter(email=f"nobody-{token}@example.org").count() == 0
    asked = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCK_REQUESTED)
    assert {(event.user_id, event.ip) for event in asked} == {
        (owner.pk, ADDRESS_A),
        (None, ADDRESS_B),
    }


def test_r2_unlock_links_are_rate_limited_per_account_and_per_address():
    owner = UserFactory()
    fail(5, owner.email, ADDRESS_A)

    for place in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        request_unlock(from_address(place), owner.email)
    assert UnlockLink.objects.filter(user=owner).count() == 3

    others = UserFactory.create_batch(6)
    for person in others:
        fail(1, person.email, ADDRESS_B)
    for person in others[:5]:
        request_unlock(from_address(ADDRESS_B), person.email)
    sixth = request_unlock(from_address(ADDRESS_B), others[5].email)

    assert sixth.status_code == 200
    assert UnlockLink.objects.filter(user__in=others[:5]).count() == 5
    assert UnlockLink.objects.filter(user=others[5]).count() == 0
    assert OutboxMessage.objects.filter(template="accounts/unlock").count() == 8


def test_r2_no_link_is_sent_for_an_account_without_failed_sign_ins():
    owner = UserFactory()

    request_unlock(from_address(ADDRESS_A), owner.email)

    assert UnlockLink.objects.count() == 0
    assert OutboxMessage.objects.filter(template="accounts/unlock").count() == 0


# --- Which address counts -------------------------------------------------------------------


def test_r2_behind_one_trusted_proxy_the_forwarded_client_address_is_recorded_and_locked(
    settings,
):
    settings.TRUSTED_PROXY_COUNT = 1
    owner = UserFactory()
    # The client's own X-Forwarded-For is kept by the proxy, which appends the real address.
    fail(5, owner.email, PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ADDRESS_A}")

    from_a = sign_in(from_address(PROXY, HTTP_X_FORWARDED_FOR=ADDRESS_A), owner.email)
    from_b = sign_in(from_address(PROXY, HTTP_X_FORWARDED_FOR=ADDRESS_B), owner.email)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True).distinct()) == [
        ADDRESS_A
    ]
    assert from_a.status_code == 429
    assert signed_in(from_b)
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGNED_IN, user=owner).ip == ADDRESS_B


def test_r2_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = []
    owner = UserFactory()
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        fail(1, owner.email, ADDRESS_A, HTTP_X_FORWARDED_FOR=forged)

    response = sign_in(from_address(ADDRESS_A, HTTP_X_FORWARDED_FOR=ADDRESS_B), owner.email)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True).distinct()) == [
        ADDRESS_A
    ]
    assert response.status_code == 429
