"""R26: the declaration is complete, checked, and compiles to index-backed querysets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy import checks
from coursekeeper.privacy.declarations import (
    HOLD,
    NOT_PERSONAL,
    Account,
    After,
    Category,
    Declaration,
    Event,
    Identifier,
    Reading,
    registry,
)
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.rules import release_date
from coursekeeper.privacy.testing import declaration_of
from coursekeeper.privacy.tests.shapes.factories import ContactNoteFactory, HeldRecordFactory
from coursekeeper.privacy.tests.shapes.models import ContactNote, HeldRecord, Upload


def ids(messages) -> list[str]:
    return sorted(message.id for message in messages)


def test_r26_the_project_passes_its_own_privacy_checks():
    assert checks.check_declarations() == []


def test_r26_every_installed_model_is_declared():
    from django.apps import apps

    undeclared = [
        m._meta.label for m in apps.get_models(include_auto_created=True) if m not in registry
    ]
    assert undeclared == []


def test_r26_an_undeclared_model_fails_the_check(monkeypatch):
    monkeypatch.delitem(registry._declarations, ContactNote)

    errors = [e for e in checks.check_declarations() if e.obj is ContactNote]

    assert ids(errors) == ["privacy.E001"]


def test_r26_an_undeclared_or_unknown_field_fails_the_check():
    declaration = Declaration(
        model=ContactNote,
        subject=Identifier("email"),
        purposes=(),
        fields={
            "email": Category.CONTACT,
            "name": Category.IDENTITY,
            "last_contact_at": NOT_PERSONAL,
            "shoe_size": Category.PROFILE,
        },
        retention=After(Event.LAST_CONTACT, column="last_contact_at", years=2),
        erasure=HOLD.__class__(),
    )

    errors = checks._check_fields(ContactNote, declaration)

    assert [(e.id, e.msg) for e in errors] == [
        ("privacy.E002", "privacy_shapes.ContactNote.message is not declared."),
        (
            "privacy.E007",
            "privacy_shapes.ContactNote declares 'shoe_size', which is not one of its fields.",
        ),
    ]


def test_r26_a_personal_looking_field_needs_a_reason_to_be_not_personal():
    declaration = Declaration(
        model=ContactNote,
        subject=Identifier("email"),
        purposes=(),
        fields={
            "email": NOT_PERSONAL,
            "name": NOT_PERSONAL.because("a shop name, not a person's"),
            "message": Category.COMMUNICATION,
            "last_contact_at": NOT_PERSONAL,
        },
        retention=After(Event.LAST_CONTACT, column="last_contact_at", years=2),
        erasure=HOLD.__class__(),
    )

    errors = checks._check_fields(ContactNote, declaration)

    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [
        ("privacy.E004", "privacy_shapes.ContactNote.email")
    ]


def test_r26_an_unindexed_subject_or_retention_column_fails_the_check():
    declaration = Declaration(
        model=ContactNote,
        subject=Identifier("name"),
        purposes=(),
        fields={},
        retention=After(Event.LAST_CONTACT, column="message", years=2),
        erasure=HOLD.__class__(),
    )

    errors = checks._check_indexes(ContactNote, declaration)

    assert ids(errors) == ["privacy.E003", "privacy.E003"]
    assert "'name' is not indexed" in errors[0].msg


def test_r26_a_cascade_that_could_delete_a_held_row_fails_the_check():
    held_upload = Declaration(
        model=Upload,
        subject=Account("owner"),
        purposes=(),
        fields={},
        retention=After(Event.CREATED, column="owner", years=5),
        erasure=HOLD,
    )

    errors = checks._check_cascades(Upload, held_upload)

    assert ids(errors) == ["privacy.E005"]
    assert "owner is CASCADE" in errors[0].msg
    assert checks._check_cascades(HeldRecord, declaration_of(HeldRecord)) == []


def test_r26_a_declared_model_without_a_factory_fails_the_check(monkeypatch):
    real = checks.factory_models()
    assert real is not None  # factory_boy is installed
    monkeypatch.setattr(checks, "factory_models", lambda: real - {ContactNote})

    errors = [e for e in checks._check_factories() if e.obj is ContactNote]

    assert ids(errors) == ["privacy.E006"]


def test_r28_a_reading_path_that_leads_nowhere_fails_the_check():
    from coursekeeper.commerce.models import Order

    declaration = dataclasses.replace(
        declaration_of(Order),
        reading=Reading(
            references=("public_id", "buyer__shoe_size"),
            money={"subtotal_minor": "currency", "discount_minor": "currency"}
            | {"vat_minor": "currency", "total_minor": "order__currency"},
            labels={"nickname": "nickname"},
        ),
    )

    errors = checks._check_reading(Order, declaration)

    assert [(e.id, e.msg) for e in errors] == [
        (
            "privacy.E014",
            "commerce.Order: the reading names 'buyer__shoe_size', which leads to no field.",
        ),
        (
            "privacy.E014",
            "commerce.Order: the reading names 'order__currency', which leads to no field.",
        ),
        ("privacy.E014", "commerce.Order: the reading names 'nickname', which leads to no field."),
    ]


def test_r28_an_amount_in_minor_units_without_its_currency_fails_the_check():
    from coursekeeper.commerce.models import Refund

    declaration = dataclasses.replace(declaration_of(Refund), reading=Reading())

    errors = checks._check_reading(Refund, declaration)

    assert ids(errors) == ["privacy.E015"]
    assert errors[0].msg.startswith("commerce.Refund.amount_minor is an amount in minor units")
    assert checks._check_reading(Refund, declaration_of(Refund)) == []


def test_r28_a_reference_that_would_show_a_secret_fails_the_check():
    from coursekeeper.commerce.models import Order

    declaration = dataclasses.replace(
        declaration_of(Order),
        reading=dataclasses.replace(
            declaration_of(Order).reading, references=("public_id", "buyer__password")
        ),
    )

    errors = checks._check_reading(Order, declaration)

    assert [(e.id, e.msg) for e in errors] == [
        (
            "privacy.E016",
            "commerce.Order: the reference 'buyer__password' would show a secret in a person's "
            "copy of their data.",
        )
    ]


@pytest.mark.django_db
def test_r26_rows_for_finds_a_person_by_account_and_by_identifier_through_an_index():
    learner = UserFactory()
    person = Person.for_user(learner)
    mine = ContactNoteFactory(email=learner.email)
    ContactNoteFactory()
    held = HeldRecordFactory(buyer=learner)
    HeldRecordFactory()

    with CaptureQueriesContext(connection) as queries:
        notes = list(declaration_of(ContactNote).rows_for(person))
        records = list(declaration_of(HeldRecord).rows_for(person))

    assert notes == [mine]
    assert records == [held]
    assert len(queries) == 2


@pytest.mark.django_db
def test_r33_expired_counts_from_the_declared_event():
    now = timezone.now()
    old = ContactNoteFactory(last_contact_at=now - dt.timedelta(days=2 * 365 + 2))
    ContactNoteFactory(last_contact_at=now - dt.timedelta(days=2 * 365 - 2))

    assert list(declaration_of(ContactNote).expired(now)) == [old]


@pytest.mark.django_db
def test_r14_a_held_row_expires_only_after_its_legal_release_date():
    issued = dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)
    record = HeldRecordFactory(issued_at=issued)
    declaration = declaration_of(HeldRecord)

    assert record.held_until == dt.datetime(2032, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert list(declaration.expired(dt.datetime(2031, 12, 31, tzinfo=dt.UTC))) == []
    assert list(declaration.expired(dt.datetime(2032, 1, 2, tzinfo=dt.UTC))) == [record]


@pytest.mark.parametrize(
    ("country", "rule", "issued", "released"),
    [
        (
            "DK",
            "bookkeeping",
            dt.datetime(2026, 3, 15, tzinfo=dt.UTC),
            dt.datetime(2032, 1, 1, tzinfo=dt.UTC),
        ),
        (
            "DE",
            "bookkeeping",
            dt.datetime(2026, 3, 15, tzinfo=dt.UTC),
            dt.datetime(2035, 1, 1, tzinfo=dt.UTC),
        ),
        (
            "DE",
            "books",
            dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
            dt.datetime(2037, 1, 1, tzinfo=dt.UTC),
        ),
        (
            "DK",
            "limitation",
            dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
            dt.datetime(2029, 5, 2, tzinfo=dt.UTC),
        ),
    ],
)
def test_rule_packs_give_the_legal_release_dates(country, rule, issued, released):
    assert release_date(country=country, rule=rule, event_at=issued) == released


def test_r26_privacy_map_shows_every_model_as_a_table_and_as_json():
    from django.apps import apps

    table, as_json = StringIO(), StringIO()
    call_command("privacy_map", stdout=table)
    call_command("privacy_map", "--json", stdout=as_json)

    entries = json.loads(as_json.getvalue())
    labels = {m._meta.label for m in apps.get_models(include_auto_created=True)}
    assert {e["model"] for e in entries} == labels
    user_entry = next(e for e in entries if e["model"] == get_user_model()._meta.label)
    assert user_entry["fields"]["email"] == "contact"
    assert user_entry["purposes"] == [{"code": "account", "basis": "contract"}]
    for label in labels:
        assert label in table.getvalue()
