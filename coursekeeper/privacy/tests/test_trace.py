"""R29: `privacy_trace` finds a person's identifiers in any table, file or log, declared or not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.tests.shapes.factories import HeldRecordFactory, UploadFactory
from coursekeeper.privacy.trace import trace_person
from coursekeeper.privacy.walks import erase_person

pytestmark = pytest.mark.django_db(transaction=True)


def where(traces) -> list[tuple[str, str, bool]]:
    return sorted((t.kind, t.where, t.held) for t in traces)


def test_r29_trace_finds_the_person_in_tables_files_and_logs_in_any_case(settings, tmp_path, token):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = UserFactory(email=f"tracy-{token}@example.org", full_name=f"Tracy {token}")
    upload = UploadFactory(owner=person)
    log_file = tmp_path / "app.log"
    log_file.write_text(f"INFO something about TRACY-{token.upper()}@EXAMPLE.ORG\n")

    traces = trace_person([f"tracy-{token}@example.org"], log_files=[log_file])

    assert where(traces) == [
        ("file", upload.document.path, False),
        ("log", str(log_file), False),
        ("table", "account_emailaddress.email", False),
        ("table", "accounts_user.email", False),
    ]


def test_r29_trace_finds_text_no_declaration_knows_about():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO coursekeeper_cache (cache_key, value, expires) VALUES (%s, %s, %s)",
            ["k1", "stray copy of someone@example.org", "2099-01-01 00:00:00"],
        )

    assert where(trace_person(["SOMEONE@example.org"])) == [
        ("table", "coursekeeper_cache.value", False)
    ]


def test_r29_after_erasure_only_held_rows_remain_and_the_command_exits_0(token):
    person = UserFactory(email=f"gone-{token}@example.org", full_name=f"Gone {token}")
    HeldRecordFactory(buyer=person)
    erase_person(Person.for_user(person))
    output = StringIO()

    call_command("privacy_trace", "--identifier", token, stdout=output)

    assert output.getvalue().splitlines() == [
        "table  privacy_shapes_heldrecord.buyer_name (privacy_shapes.HeldRecord): 1  [held by law]"
    ]


def test_r29_the_command_exits_1_when_a_trace_remains(token):
    UserFactory(email=f"still-{token}@example.org")

    with pytest.raises(SystemExit) as exit_info:
        call_command("privacy_trace", "--email", f"still-{token}@example.org", stdout=StringIO())

    assert exit_info.value.code == 1
