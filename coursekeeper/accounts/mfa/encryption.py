"""Two-factor secrets encrypted at rest, under keys that never enter the database (R38).

Design. allauth keeps each TOTP secret, and the seed every recovery code is derived from, in the
JSON column `mfa_authenticator.data`, and passes each through the MFA adapter's `encrypt` and
`decrypt`. Ours seal them with Fernet (AES-128-CBC with HMAC-SHA256: authenticated, so a changed
value is refused rather than misread) under the keys in settings.MFA_SECRET_KEYS, which live in the
environment: a dump or a backup of the database alone opens no second factor.

Keys. Each configured key is any long random string; the Fernet key is derived from it with HKDF,
so operators handle keys as they handle the erasure ledger's. The first key seals; every key opens
(MultiFernet). Rotating is: put a new key first, keep the old ones, run `manage.py mfa_rotate_key`,
then drop the old ones.

Recognising a sealed value. A sealed value starts with SEALED_PREFIX. A clear TOTP secret is base32
and a clear seed is hex, so neither can start with it: the data migration and the rotation command
tell clear values from sealed ones and never seal anything twice. `unseal` refuses a clear value
(fail closed): a row the migration missed is an error to fix, not a secret to use.

What a rerun does. `reseal_authenticators` rewrites only the rows whose values are clear or sealed
with another key than the first, so a second run changes nothing. It runs in one transaction
(all rows or none) and locks each row while rewriting it, because using a recovery code rewrites
the same JSON (its mask of used codes).
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

SEALED_PREFIX = "sealed:v1:"
# The values allauth passes through `encrypt` (TOTP: "secret"; recovery codes: "seed", and the
# "migrated_codes" list of codes imported from another library).
SEALED_VALUES = ("secret", "seed")
SEALED_LISTS = ("migrated_codes",)


class UnreadableSecret(Exception):
    """A stored two-factor secret is clear, damaged, or sealed with a key no longer configured."""


def derive_fernet_key(key: str) -> bytes:
    """Return the Fernet key derived from one configured key."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"coursekeeper two-factor secrets"
    ).derive(key.encode())
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=4)
def _keyring_for(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(derive_fernet_key(key)) for key in keys]
    return fernets[0], MultiFernet(fernets)


def keyring() -> tuple[Fernet, MultiFernet]:
    """Return the sealing key and all opening keys, from the settings as they are now."""
    keys = tuple(settings.MFA_SECRET_KEYS)
    if not keys:
        raise ImproperlyConfigured("MFA_SECRET_KEYS is empty: two-factor secrets cannot be sealed.")
    return _keyring_for(keys)


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def seal(text: str) -> str:
    """Return `text` encrypted with the first key, marked as sealed."""
    first, _all = keyring()
    return SEALED_PREFIX + first.encrypt(text.encode()).decode("ascii")


def unseal(value: str) -> str:
    """Return the text of a sealed value; raise UnreadableSecret for anything else."""
    if not is_sealed(value):
        raise UnreadableSecret(
            "A two-factor secret is stored in clear; run `manage.py migrate` to seal it."
        )
    _first, every = keyring()
    try:
        return every.decrypt(value.removeprefix(SEALED_PREFIX).encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "A two-factor secret does not open with any key in COURSEKEEPER_MFA_KEYS."
        ) from None


def reseal(value: str) -> str | None:
    """Return `value` sealed with the first key, or None if it already is."""
    if not is_sealed(value):
        return seal(value)
    first, every = keyring()
    token = value.removeprefix(SEALED_PREFIX).encode("ascii")
    try:
        first.decrypt(token)
    except InvalidToken:
        pass
    else:
        return None
    try:
        return SEALED_PREFIX + every.rotate(token).decode("ascii")
    except InvalidToken:
        raise UnreadableSecret(
            "A two-factor secret does not open with any key in COURSEKEEPER_MFA_KEYS."
        ) from None


def resealed_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return an authenticator's data with every secret sealed by the first key, or None if
    nothing needs to change."""
    changed = dict(data)
    for name in SEALED_VALUES:
        if isinstance(data.get(name), str) and (new := reseal(data[name])) is not None:
            changed[name] = new
    for name in SEALED_LISTS:
        if isinstance(data.get(name), list):
            values = [reseal(value) or value for value in data[name]]
            if values != data[name]:
                changed[name] = values
    return changed if changed != data else None


def opened_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return an authenticator's data with every secret in clear, or None if it already is
    (what allauth without our adapter expects: the way back of the data migration)."""
    changed = dict(data)
    for name in SEALED_VALUES:
        if isinstance(data.get(name), str) and is_sealed(data[name]):
            changed[name] = unseal(data[name])
    for name in SEALED_LISTS:
        if isinstance(data.get(name), list):
            changed[name] = [unseal(v) if is_sealed(v) else v for v in data[name]]
    return changed if changed != data else None


def reseal_authenticators(authenticator_model=None) -> tuple[int, int]:
    """Seal every authenticator's secrets with the first key; return (rewritten, total).

    `authenticator_model` is the migration's historical model when a migration calls this.
    """
    return _rewrite_authenticators(authenticator_model, resealed_data)


def open_authenticators(authenticator_model=None) -> tuple[int, int]:
    """Store every authenticator's secrets in clear again; return (rewritten, total)."""
    return _rewrite_authenticators(authenticator_model, opened_data)


def _rewrite_authenticators(authenticator_model, rewrite) -> tuple[int, int]:
    if authenticator_model is None:
        from allauth.mfa.models import Authenticator

        authenticator_model = Authenticator
    rewritten = 0
    with transaction.atomic():
        ids = list(authenticator_model.objects.order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            row = authenticator_model.objects.select_for_update().filter(pk=pk).first()
            if row is None:  # deleted meanwhile
                continue
            data = rewrite(row.data)
            if data is not None:
                row.data = data
                row.save(update_fields=["data"])
                rewritten += 1
    return rewritten, len(ids)
