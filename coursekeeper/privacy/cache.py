"""What the cache holds about people, and how it forgets them (R29).

The cache is not a model: it is one table (`coursekeeper_cache`, Django's database cache) that
no declaration can describe and every library may write to. The sign-up library keeps its rate
limits there, and builds their keys from who is asking: `…:confirm_email:…:<sha256 of the
address>`, `…:manage_email:…:user:<account id>`, `…:login:…:ip:<address>`. An unkeyed SHA-256
of an email address is the address itself to anyone holding a list of addresses, and the
database cache keeps its rows past their expiry (it culls only when a write finds it full), so
these keys would outlive the person in every dump and backup. Three things keep that from
happening.

Keys are keyed hashes, by construction. `keyed_cache_key` is the KEY_FUNCTION of every
configured cache (system check privacy.E008): the stored key is an HMAC-SHA256 of the key
Django would have stored, under a secret that is never in the database (derived from
settings.FINGERPRINT_KEY, the key for hashes of identifiers). So no cache row holds an address,
an account id or an IP address in clear or as an unkeyed hash, whoever wrote it, today's
library or a future one; a stolen dump holds digests nobody can test a list of addresses
against. Rotating the secret only makes the cache start empty: rate limits begin afresh.

Erasure deletes the person's entries. The keys are keyed, but still the person's for as long as
they live, so the privacy app's erasure participant "privacy.forget_in_cache" (an after step,
see participants.py) computes, before the walk, every key the library can have written about
the person (`cache_keys_about`), and right after it deletes them through the same key function
(`forget_keys_read`): for every rate-limit action of the installed apps and each of its rates
counted per key or per account, the key for each of the person's addresses (lower-cased, as
the library passes them), their phone number and the library's own per-account keys, and the
account id; with the short-lived lock key beside each.
The keys are built by the library's own (internal) function, `get_cache_key`, so a change of
format in an upgrade changes both sides at once; test_cache.py pins that every key real sign-up,
sign-in, reset, email- and password-change requests write about a person is among those
computed here, and that erasure leaves none of them. With the database cache the delete
runs on the erasure's own connection, inside its transaction: the entries go if and only if the
erasure commits. (A cache elsewhere -- Redis, memcached -- is not transactional: there the
entries go even if the erasure then rolls back, which only resets a few rate limits.)

What erasure cannot compute, time removes. Keys counted per IP address, and the two-factor
library's used-code markers (account id and code, 90 seconds) cannot be recomputed from what
we know about the person. They are keyed like every other entry, and expire within minutes;
`purge_expired_cache_entries` (the hourly `privacy_purge_cache`, and once more at each erasure)
deletes every expired row of a database cache, so no expired entry lingers in the table.

Values are what each cache user stores; the rate limits store only timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from coursekeeper.privacy.participants import Erasing
    from coursekeeper.privacy.people import Person

KEY_FUNCTION = "coursekeeper.privacy.cache.keyed_cache_key"

# The apps of the sign-up library that rate-limit, each with its `app_settings.RATE_LIMITS`.
RATE_LIMITED_APPS = ("allauth.account", "allauth.mfa")


def keyed_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Return the key a cache stores for `key`: a keyed hash of Django's default form.

    Django's own key function returns `f"{key_prefix}:{version}:{key}"`; this one keeps the
    prefix and the version readable (a school's prefix, `cache.incr_version`) and replaces the
    rest by an HMAC-SHA256 of that whole string. The secret is read at each call.
    """
    secret = f"cache:{settings.FINGERPRINT_KEY}".encode()
    digest = hmac.new(secret, f"{key_prefix}:{version}:{key}".encode(), hashlib.sha256)
    return f"{key_prefix}:{version}:{digest.hexdigest()}"


def uses_keyed_keys(alias: str) -> bool:
    """Return whether the cache `alias` of settings.CACHES stores keyed hashes of its keys."""
    configured = settings.CACHES[alias].get("KEY_FUNCTION")
    return configured == KEY_FUNCTION or configured is keyed_cache_key


# --- What erasure deletes ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    """Enough of an account for the library's per-account keys: they only read `pk`."""

    pk: int


def _configured_hosts() -> list[str]:
    hosts = {urlsplit(settings.SITE_URL).netloc}
    hosts.update(host.lstrip(".") for host in settings.ALLOWED_HOSTS if "*" not in host)
    return sorted(host for host in hosts if host)


def rate_limit_subjects(person: Person) -> list[str]:
    """Return every value the library can rate-limit the person by, as it passes them.

    Addresses lower-cased (sign-up confirmation, password reset, login codes); the phone number;
    the two-factor library's per-account key; and "host:address", the form of the failed-login
    limit (off here, where django-axes throttles sign-ins, but computed should it be turned on).
    """
    subjects = {email.lower() for email in person.emails}
    user = person.user
    if user is not None:
        if getattr(user, "phone", ""):
            subjects.add(user.phone)
        subjects.add(f"mfa-auth-user-{user.pk}")
    for host in _configured_hosts():
        subjects.update(f"{host}:{email.lower()}" for email in person.emails)
    return sorted(subjects)


def _rate_limit_keys(person: Person) -> Iterator[str]:
    from allauth.core.internal.ratelimit import get_cache_key, get_rates
    from django.utils.module_loading import import_string

    subjects = rate_limit_subjects(person)
    account = _Account(pk=person.user_id) if person.user_id is not None else None
    for app in RATE_LIMITED_APPS:
        if not _installed(app):
            continue
        actions = import_string(f"{app}.app_settings.RATE_LIMITS")
        for action in sorted(actions):
            for rate in get_rates(app=app, action=action):
                if rate.per == "key":
                    for subject in subjects:
                        yield get_cache_key(None, app=app, action=action, rate=rate, key=subject)
                elif rate.per == "user" and account is not None:
                    yield get_cache_key(None, app=app, action=action, rate=rate, user=account)


def _installed(app: str) -> bool:
    from django.apps import apps

    return apps.is_installed(app)


def cache_keys_about(person: Person) -> list[str]:
    """Return every cache key (as its writer names it, before the key function) about `person`.

    Each rate-limit key comes with the lock key the library takes beside it for a moment.
    """
    keys = sorted(set(_rate_limit_keys(person)))
    return [*keys, *(f"{key}:lock" for key in keys)]


def forget_person_in_cache(person: Person) -> None:
    """Delete every cache entry about `person`, then every expired entry.

    Run it while the account still exists (it reads the phone number). Inside the erasure's
    transaction on the database cache; see the module's comment for other caches.
    """
    _forget(cache_keys_about(person))


def forget_keys_read(erasing: Erasing) -> None:
    """Delete the entries whose keys were read about the person before the walk (an after step)."""
    _forget(erasing.read or [])


def _forget(keys: list[str]) -> None:
    from django.core.cache import cache

    cache.delete_many(keys)
    purge_expired_cache_entries()


# --- The periodic purge --------------------------------------------------------------------------


def purge_expired_cache_entries() -> int:
    """Delete the expired rows of every database cache; return how many went.

    The database cache deletes expired rows only when a write finds the table over its
    MAX_ENTRIES, so without this they stay. Other backends expire entries themselves.
    """
    from django.core.cache import caches
    from django.core.cache.backends.db import BaseDatabaseCache
    from django.db import connections, router
    from django.utils import timezone

    deleted = 0
    for alias in settings.CACHES:
        cache = caches[alias]
        if not isinstance(cache, BaseDatabaseCache):
            continue
        connection = connections[router.db_for_write(cache.cache_model_class)]
        quote = connection.ops.quote_name
        table, expires = quote(settings.CACHES[alias]["LOCATION"]), quote("expires")
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {expires} < %s",  # noqa: S608 - names are quoted
                [connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            deleted += max(cursor.rowcount, 0)
    return deleted
