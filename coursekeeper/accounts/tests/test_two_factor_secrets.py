"""R38: two-factor secrets are encrypted at rest, rotatable, and never shown in the admin."""

from __future__ import annotations

import importlib
import io
import time

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.checks import check_two_factor_secrets_are_sealed
from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, StaffFactory
from coursekeeper.accounts.mfa.encryption import (
    SEALED_PREFIX,
    UnreadableSecret,
    derive_fernet_key,
    unseal,
)

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OLD_KEY = "old-two-factor-key-" + "a1B2c3D4e5F6g7H8i9J0" * 3
NEW_KEY = "new-two-factor-key-" + "z9Y8x7W6v5U4t3S2r1Q0" * 3


@pytest.fixture(autouse=True)
def _forget_used_codes():
    # allauth remembers used codes per account id in the cache, which outlives a test's rows.
    cache.clear()


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def stored_data(user) -> str:
    """Return the authenticators' data column as the database holds it, one row a line."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(data AS TEXT) FROM mfa_authenticator WHERE user_id = %s ORDER BY type",
            [user.pk],
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def sign_in_with_code(email: str, code: str) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    return client


def test_r38_an_authenticator_set_up_on_the_site_is_stored_encrypted_and_still_signs_in():
    staff = StaffFactory()
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
        secret = client.session["mfa.totp.secret"]
        activated = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})

        stored = stored_data(staff)
        seed = unseal(Authenticator.objects.get(user=staff, type="recovery_codes").data["seed"])
        later = sign_in_with_code(staff.email, code_now(secret))

    assert activated.status_code == 302
    assert list(
        Authenticator.objects.filter(user=staff).order_by("type").values_list("type", flat=True)
    ) == ["recovery_codes", "totp"]
    # Neither the secret nor the recovery codes' seed is in the row, in any case.
    assert secret not in stored
    assert secret.lower() not in stored.lower()
    assert seed not in stored
    assert stored.count(SEALED_PREFIX) == 2
    assert later.session["_auth_user_id"] == str(staff.pk)


def test_r38_rotating_the_key_re_encrypts_every_secret_once_and_codes_still_work(settings):
    settings.MFA_SECRET_KEYS = [OLD_KEY]
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    recovery_code = RecoveryCodes.activate(staff).get_unused_codes()[0]
    before = stored_data(staff)

    settings.MFA_SECRET_KEYS = [NEW_KEY, OLD_KEY]
    first, second = io.StringIO(), io.StringIO()
    call_command("mfa_rotate_key", stdout=first)
    after = stored_data(staff)
    call_command("mfa_rotate_key", stdout=second)

    assert first.getvalue() == "Re-encrypted 2 of 2 authenticators with the first key.\n"
    assert second.getvalue() == "Re-encrypted 0 of 2 authenticators with the first key.\n"
    assert stored_data(staff) == after != before
    # Now the new key alone opens every secret.
    totp = Authenticator.objects.get(user=staff, type="totp")
    sealed = totp.data["secret"].removeprefix(SEALED_PREFIX).encode()
    assert Fernet(derive_fernet_key(NEW_KEY)).decrypt(sealed).decode() == SECRET
    settings.MFA_SECRET_KEYS = [NEW_KEY]
    with time_machine.travel(timezone.now(), tick=False):
        assert totp.wrap().validate_code(code_now(SECRET)) is True
    recovery = Authenticator.objects.get(user=staff, type="recovery_codes")
    assert recovery.wrap().validate_code(recovery_code) is True


def test_r38_rotation_stops_without_changes_when_no_key_opens_a_secret(settings):
    settings.MFA_SECRET_KEYS = [OLD_KEY]
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    before = stored_data(staff)

    settings.MFA_SECRET_KEYS = [NEW_KEY]
    with pytest.raises(CommandError, match="does not open with any key"):
        call_command("mfa_rotate_key", stdout=io.StringIO())

    assert stored_data(staff) == before


def test_r38_the_data_migration_encrypts_clear_secrets_once_and_can_go_back():
    migration = importlib.import_module(
        "coursekeeper.accounts.migrations.0003_encrypt_two_factor_secrets"
    )
    staff = StaffFactory()
    seed = "5f" * 40
    # Rows as allauth wrote them before the adapter sealed anything.
    Authenticator.objects.create(user=staff, type="totp", data={"secret": SECRET})
    Authenticator.objects.create(
        user=staff,
        type="recovery_codes",
        data={"seed": seed, "used_mask": 1, "migrated_codes": ["12345678"]},
    )

    migration.seal_secrets(django_apps, None)
    sealed_once = stored_data(staff)
    migration.seal_secrets(django_apps, None)

    assert stored_data(staff) == sealed_once
    assert SECRET not in sealed_once
    assert seed not in sealed_once
    assert "12345678" not in sealed_once
    assert sealed_once.count(SEALED_PREFIX) == 3
    totp = Authenticator.objects.get(user=staff, type="totp")
    recovery = Authenticator.objects.get(user=staff, type="recovery_codes")
    assert (unseal(totp.data["secret"]), unseal(recovery.data["seed"])) == (SECRET, seed)
    assert recovery.data["used_mask"] == 1
    with time_machine.travel(timezone.now(), tick=False):
        assert totp.wrap().validate_code(code_now(SECRET)) is True

    migration.open_secrets(django_apps, None)

    assert Authenticator.objects.get(user=staff, type="totp").data == {"secret": SECRET}
    assert Authenticator.objects.get(user=staff, type="recovery_codes").data == {
        "seed": seed,
        "used_mask": 1,
        "migrated_codes": ["12345678"],
    }


def test_r38_a_secret_left_in_clear_is_refused_not_used():
    staff = StaffFactory()
    clear = Authenticator.objects.create(user=staff, type="totp", data={"secret": SECRET})

    with pytest.raises(UnreadableSecret, match="stored in clear"):
        clear.wrap().validate_code(code_now(SECRET))


def test_r38_the_admin_shows_no_secret_and_changes_no_authenticator():
    owner = StaffFactory(role=Role.OWNER, is_superuser=True)
    TOTP.activate(owner, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    colleague = StaffFactory()
    authenticator = TOTP.activate(colleague, SECRET).instance
    client = Client()
    client.force_login(owner)
    change_url = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])

    page = client.get(change_url)
    changed = client.post(change_url, {"user": owner.pk, "type": "totp", "data": "{}"})
    added = client.get(reverse("admin:mfa_authenticator_add"))
    listed = client.get(reverse("admin:mfa_authenticator_changelist"))

    assert page.status_code == 200
    content = page.content.decode()
    assert str(colleague) in content
    assert SECRET not in content
    assert SEALED_PREFIX not in content
    assert 'name="data"' not in content
    assert SECRET not in listed.content.decode()
    assert (changed.status_code, added.status_code) == (403, 403)
    authenticator.refresh_from_db()
    assert (authenticator.user_id, unseal(authenticator.data["secret"])) == (colleague.pk, SECRET)


def test_r38_a_lost_device_is_reset_by_deleting_its_authenticator_in_the_admin():
    owner = StaffFactory(role=Role.OWNER, is_superuser=True)
    TOTP.activate(owner, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    authenticator = TOTP.activate(StaffFactory(), SECRET).instance
    client = Client()
    client.force_login(owner)

    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_r38_checks_refuse_missing_or_weak_keys_and_an_adapter_that_stores_in_clear(settings):
    settings.MFA_SECRET_KEYS = []
    settings.MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
    assert [e.id for e in check_two_factor_secrets_are_sealed()] == [
        "accounts.E001",
        "accounts.E003",
    ]

    settings.MFA_ADAPTER = "coursekeeper.accounts.mfa.adapter.MFAAdapter"
    settings.MFA_SECRET_KEYS = [NEW_KEY, "short"]
    assert [e.id for e in check_two_factor_secrets_are_sealed()] == ["accounts.E002"]

    settings.PRODUCTION = True
    settings.MFA_SECRET_KEYS = ["k3Y-" + "abcdefgh" * 5]  # 44 characters: enough for development
    assert [e.id for e in check_two_factor_secrets_are_sealed()] == ["accounts.E002"]

    settings.MFA_SECRET_KEYS = [NEW_KEY]
    assert check_two_factor_secrets_are_sealed() == []
