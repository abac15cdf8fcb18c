"""R24: IP addresses go only to the security log; application logs name people by pseudonym."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.security.logfilters import RedactPersonalDataFilter
from coursekeeper.security.models import SecurityEvent
from coursekeeper.security.services import pseudonym

pytestmark = pytest.mark.django_db(transaction=True)


def test_r24_a_sign_in_is_recorded_in_the_security_log_with_its_address():
    person = UserFactory()

    Client(REMOTE_ADDR="203.0.113.61", HTTP_USER_AGENT="TestBrowser/1.0").post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )

    event = SecurityEvent.objects.get(user=person)
    assert (event.kind, event.ip, event.user_agent) == (
        "signed_in",
        "203.0.113.61",
        "TestBrowser/1.0",
    )


def test_r24_a_lockout_is_recorded_in_the_security_log():
    person = UserFactory()
    for _attempt in range(5):  # the fifth failure locks the account
        Client(REMOTE_ADDR="203.0.113.62").post(
            reverse("account_login"), {"login": person.email, "password": "wrong"}
        )

    assert list(SecurityEvent.objects.filter(kind="locked_out").values_list("user", "ip")) == [
        (person.pk, "203.0.113.62")
    ]


def test_r24_application_logs_name_people_by_pseudonym_only(caplog):
    person = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.63")
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    with caplog.at_level(logging.INFO, logger="coursekeeper"):
        client.post(
            reverse("accounts:profile"),
            {"full_name": "New Name", "language": "en", "time_zone": "Europe/Copenhagen"},
        )

    (record,) = [r for r in caplog.records if r.name == "coursekeeper.accounts.services"]
    assert (
        record.getMessage()
        == f"profile updated person={pseudonym(person.pk)} fields=full_name,phone"
    )
    # A keyed hash, not the account id: stable for one person, unrelated across people.
    assert re.fullmatch(r"p-[0-9a-f]{12}", pseudonym(person.pk))
    assert pseudonym(person.pk) != pseudonym(person.pk + 1)


def test_r24_an_address_that_slips_into_a_log_line_is_masked():
    record = logging.LogRecord(
        "coursekeeper.x",
        logging.INFO,
        __file__,
        1,
        "mail to %s from %s and %s",
        ("a.b@example.org", "198.51.100.7", "2001:db8::1:2"),
        None,
    )

    RedactPersonalDataFilter().filter(record)

    assert record.getMessage() == "mail to [email] from [ip] and [ip]"


def test_r24_clock_times_are_not_mistaken_for_addresses():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "ran at 12:30:45", (), None)

    RedactPersonalDataFilter().filter(record)

    assert record.getMessage() == "ran at 12:30:45"
