"""R29: the cache stores keyed hashes of its keys, erasure deletes every entry real requests
wrote about the person, and expired entries are purged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Set as AbstractSet
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from coursekeeper import settings as production_settings
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.cache import (
    cache_keys_about,
    forget_person_in_cache,
    keyed_cache_key,
    purge_expired_cache_entries,
)
from coursekeeper.privacy.checks import check_cache_keys
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import cache_entries_naming, use_every_path_that_rate_limits
from coursekeeper.privacy.trace import unkeyed_digests
from coursekeeper.privacy.walks import erase_person

# The key each stored key stands for, as the production key function saw it: the tests learn
# what was written about whom from the writers themselves, not from the code under test.
WRITTEN: dict[str, str] = {}


def recording_key(key: str, key_prefix: str, version: int) -> str:
    """The production key function, noting which key each stored key stands for."""
    stored = keyed_cache_key(key, key_prefix, version)
    WRITTEN[stored] = key
    return stored


@pytest.fixture
def written_keys(settings) -> dict[str, str]:
    settings.CACHES = {
        "default": {
            **production_settings.CACHES["default"],
            "KEY_FUNCTION": f"{__name__}.recording_key",
        }
    }
    cache.clear()
    WRITTEN.clear()
    return WRITTEN


def stored_keys() -> set[str]:
    table = connection.ops.quote_name(production_settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608
        return {key for (key,) in cursor.fetchall()}


def mentions(key: str, user, emails: AbstractSet[str]) -> bool:
    """Return whether a key names the person: an address or phone, in clear or hashed, or the
    account id as one of its colon-separated parts."""
    identifiers = [*emails, user.phone]
    needles = [i.lower() for i in identifiers] + unkeyed_digests([*identifiers, str(user.pk)])
    return any(n in key.lower() for n in needles) or str(user.pk) in key.split(":")


@pytest.mark.django_db
def test_r29_the_cache_stores_a_keyed_hash_of_each_key_never_the_key(settings, token):
    address = f"hashed-{token}@example.org"
    unkeyed = hashlib.sha256(address.encode()).hexdigest()
    key = f"allauth:rl:allauth.account:reset_password:5/60/key:{unkeyed}"

    cache.set(key, [1.5], 60)

    assert stored_keys() == {keyed_cache_key(key, "", 1)}
    assert keyed_cache_key(key, "", 1).startswith(":1:")
    assert cache_entries_naming([address, unkeyed, token]) == []
    assert cache.get(key) == [1.5]
    # Without the secret the entry cannot be found, let alone read as an address.
    settings.FINGERPRINT_KEY = "another secret entirely, fifty characters or more...."
    assert cache.get(key) is None


def test_r29_a_cache_that_stores_its_keys_as_given_fails_the_check(settings):
    assert check_cache_keys() == []

    settings.CACHES = {
        **settings.CACHES,
        "plain": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

    (error,) = check_cache_keys()
    assert error.id == "privacy.E008"
    assert "'plain'" in error.msg


@pytest.mark.django_db(transaction=True)
def test_r29_erasure_deletes_every_entry_the_sign_up_library_wrote_about_the_person(
    written_keys, token
):
    person_user = UserFactory(email=f"cached-{token}@example.org")
    bystander_user = UserFactory(email=f"stays-{token}@example.org")
    use_every_path_that_rate_limits(
        person_user, typed_email=f"Cached-{token}@Example.ORG", new_email=f"moved-{token}@x.org"
    )
    use_every_path_that_rate_limits(
        bystander_user, typed_email=f"STAYS-{token}@example.org", new_email=f"b-{token}@x.org"
    )
    person, bystander = Person.for_user(person_user), Person.for_user(bystander_user)
    present = stored_keys()
    about_person = {
        stored
        for stored, key in written_keys.items()
        if stored in present and mentions(key, person_user, person.emails)
    }
    about_bystander = {
        stored
        for stored, key in written_keys.items()
        if stored in present and mentions(key, bystander_user, bystander.emails)
    }
    # Sign-up and email confirmations, the password reset, the email and password changes and
    # the re-authentication are each limited per address or per account.
    actions = {written_keys[stored].split(":")[3] for stored in about_person}
    assert actions == {
        "change_password",
        "confirm_email",
        "manage_email",
        "reauthenticate",
        "reset_password",
    }
    # Everything written about the person is among the keys erasure computes.
    assert {written_keys[stored] for stored in about_person} <= set(cache_keys_about(person))

    erase_person(person)

    assert stored_keys() & about_person == set()
    assert about_bystander <= stored_keys()
    assert len(about_bystander) == len(about_person)


@pytest.mark.django_db(transaction=True)
def test_r29_erasure_without_account_forgets_the_rate_limit_on_the_address(written_keys, token):
    address = f"never-{token}@example.org"
    Client().post(reverse("account_reset_password"), {"email": address})
    person = Person.for_email(address)
    computed = set(cache_keys_about(person))
    # The limit per address is in the cache (its lock, taken for a moment, is gone again).
    about = {s for s, key in written_keys.items() if key in computed} & stored_keys()
    assert [written_keys[stored].split(":")[3] for stored in about] == ["reset_password"]

    forget_person_in_cache(person)

    assert stored_keys() & about == set()


@pytest.mark.django_db
def test_r29_the_purge_deletes_expired_entries_and_keeps_live_ones():
    cache.clear()
    cache.set("gone", "x", timeout=0)  # already expired when written
    cache.set("stays", "y", timeout=60)
    cache.set("forever", "z", timeout=None)

    assert purge_expired_cache_entries() == 1

    assert stored_keys() == {keyed_cache_key(key, "", 1) for key in ("stays", "forever")}
    assert (cache.get("stays"), cache.get("forever")) == ("y", "z")
    assert purge_expired_cache_entries() == 0


@pytest.mark.django_db
def test_r29_the_purge_is_a_plain_command():
    cache.clear()
    cache.set("gone", "x", timeout=0)  # already expired when written
    output = StringIO()

    call_command("privacy_purge_cache", stdout=output)

    assert output.getvalue() == "deleted 1 expired cache entries\n"
    assert stored_keys() == set()
