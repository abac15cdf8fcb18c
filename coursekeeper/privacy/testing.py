"""Helpers for tests that walk the whole declaration, or every path that writes about a person."""

from __future__ import annotations

from collections.abc import Iterable

import factory.django
from django.conf import settings
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD
from coursekeeper.privacy.checks import factory_models
from coursekeeper.privacy.declarations import Declaration, registry
from coursekeeper.privacy.trace import decoded_cache_value


def declaration_of(model: type[models.Model]) -> Declaration:
    """Return the model's declaration; fail the test when it has none."""
    declaration = registry.get(model)
    assert declaration is not None, f"{model._meta.label} is not declared"
    return declaration


def factories_by_model() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    """Return, per model, its most basic factory (UserFactory rather than StaffFactory)."""
    factory_models()  # imports every app's factories module
    found: dict = {}
    pending = list(factory.django.DjangoModelFactory.__subclasses__())
    while pending:
        factory_class = pending.pop()
        pending.extend(factory_class.__subclasses__())
        model = factory_class._meta.model
        if model is None:
            continue
        depth = len(factory_class.__mro__)
        if model not in found or depth < len(found[model].__mro__):
            found[model] = factory_class
    return found


def use_every_path_that_rate_limits(user, *, typed_email: str, new_email: str) -> None:
    """Go through every request that rate-limits or caches by the person's address or account.

    `typed_email` is their address as someone types it (in another case); `new_email` is the
    address they change to. Each request is checked to have been taken, not refused.
    """
    stranger = Client()
    # Sign-in failures for the address.
    response = stranger.post(
        reverse("account_login"), {"login": typed_email, "password": "not the password"}
    )
    assert response.status_code == 200
    # A password reset asked for the address.
    response = stranger.post(reverse("account_reset_password"), {"email": typed_email})
    assert response.status_code == 302
    # A sign-up with the address: the library sends its confirmation mail (here, "you already
    # have an account").
    response = stranger.post(
        reverse("account_signup"),
        {
            "full_name": "Someone Else",
            "email": typed_email,
            "password1": "a quiet lake at dawn 42",
            "adult_confirmed": "on",
        },
    )
    assert response.status_code == 302
    # The person signs in, changes their address, asks for its confirmation again, and
    # mistypes their password where it is asked for again.
    own = Client()
    response = own.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = own.post(reverse("account_email"), {"action_add": "", "email": new_email})
    assert response.status_code == 302
    response = own.post(reverse("account_email"), {"action_send": "", "email": new_email})
    assert response.status_code == 302
    response = own.post(
        reverse("account_change_password"),
        {"oldpassword": "not the password", "password1": "x", "password2": "x"},
    )
    assert response.status_code == 200
    response = own.post(reverse("account_reauthenticate"), {"password": "not the password"})
    assert response.status_code == 200


def cache_entries_naming(needles: Iterable[str]) -> list[str]:
    """Return the stored keys of the default cache's rows whose key or decoded value holds any
    of `needles` (compared lower-cased)."""
    lowered = [needle.lower() for needle in needles if needle]
    quote = connection.ops.quote_name
    table = quote(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('cache_key')}, {quote('value')} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    return sorted(
        key
        for key, value in rows
        if any(
            needle in key.lower() or needle.encode() in decoded_cache_value(value)
            for needle in lowered
        )
    )


def audit_trail() -> list[tuple[int | None, str, str, str]]:
    """Return the staff audit trail, oldest first: (staff member's id, model, record id, what
    changed as the staff changes page says it in English)."""
    from django.contrib.admin.models import LogEntry
    from django.utils import translation

    from coursekeeper.privacy.access.changes import change_text

    with translation.override("en"):
        return [
            (
                entry.user_id,
                entry.content_type.model,  # type: ignore[attr-defined]  # untyped in the stubs
                entry.object_id,
                change_text(entry.change_message),
            )
            for entry in LogEntry.objects.select_related("content_type").order_by("pk")
        ]
