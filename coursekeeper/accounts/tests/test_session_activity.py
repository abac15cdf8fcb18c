"""A signed-in person reading pages writes nothing between activity stamps (R3, issue 20).

The session's last-activity stamp and the "Your sessions" row are written at most once a
minute, or at once from a new address or browser; counted here by the statements sent to the
database, never by time.
"""

from __future__ import annotations

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE")


def writes_of(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def signed_in_client(person) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT=FIREFOX)
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@override_settings(STATS_FLUSH_EVERY=50, STATS_FLUSH_SECONDS=3600)
def test_r3_reading_pages_within_a_minute_writes_nothing():
    """Page views are counted in memory and written in batches (the tests' settings flush
    every view); with the served defaults, three page views write nothing."""
    person = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(person)
        assert client.get(reverse("accounts:profile")).status_code == 200
        traveller.shift(20)

        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                assert client.get(reverse("accounts:profile")).status_code == 200

    assert writes_of(queries.captured_queries) == []


def test_r3_after_a_minute_the_session_is_stamped_once():
    person = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(person)
        client.get(reverse("accounts:profile"))
        seen_before = UserSession.objects.get(user=person).last_seen_at
        traveller.shift(61)

        client.get(reverse("accounts:profile"))
        client.get(reverse("accounts:profile"))

    session = UserSession.objects.get(user=person)
    assert (session.last_seen_at - seen_before).total_seconds() == 61


def test_r3_a_request_from_another_browser_is_recorded_at_once():
    person = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(person)
        client.get(reverse("accounts:profile"))
        traveller.shift(5)

        client.get(reverse("accounts:profile"), HTTP_USER_AGENT=SAFARI, REMOTE_ADDR="198.51.100.7")

    session = UserSession.objects.get(user=person)
    assert (session.user_agent, session.ip) == (SAFARI, "198.51.100.7")
