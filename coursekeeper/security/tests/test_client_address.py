"""The one rule for a visitor's address behind reverse proxies (R2: throttling per address)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from coursekeeper.security.client_address import client_ip


def request_from(remote: str, forwarded: str | None = None):
    headers: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.fixture
def no_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = []
    return settings


def test_r2_without_trusted_proxies_the_connecting_address_counts(no_proxy):
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    assert client_ip(request_from("2001:DB8::1")) == "2001:db8::1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        # What the client wrote itself stays on the left; the proxy appended the real address.
        (1, "192.0.2.66, 203.0.113.1", "203.0.113.1"),
        (2, "192.0.2.66, 203.0.113.1, 10.0.0.9", "203.0.113.1"),
        # Fewer entries than proxies: the request did not come through them; the peer counts.
        (2, "203.0.113.1", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        # An entry that is not an address: the peer counts.
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_r2_a_count_of_trusted_proxies_reads_forwarded_for_from_the_right(
    no_proxy, count, forwarded, expected
):
    no_proxy.TRUSTED_PROXY_COUNT = count

    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "192.0.2.66, 203.0.113.1, 10.0.0.5", "203.0.113.1"),
        ("10.0.0.2", "203.0.113.1", "203.0.113.1"),
        # A peer that is not one of ours cannot speak for anyone else.
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # Only our proxies on the way: the leftmost of them is the visitor.
        ("10.0.0.2", "10.0.0.8", "10.0.0.8"),
    ],
)
def test_r2_named_trusted_proxies_are_skipped_from_the_right(no_proxy, remote, forwarded, expected):
    no_proxy.TRUSTED_PROXIES = ["10.0.0.0/8"]
    no_proxy.TRUSTED_PROXY_COUNT = 5  # the networks win when both are set

    assert client_ip(request_from(remote, forwarded)) == expected
