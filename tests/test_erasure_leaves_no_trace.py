"""R26, R28, R29: every declared model is built for a person, exported and erased by the real
jobs -- and then the whole database dump, the stored files and the logs are searched for the
person's identifiers, and for their unkeyed MD5, SHA-1 and SHA-256 digests.

A model joins this test by being declared: nothing here names a model. What is not a model is
reached through the real requests that write it: before the erasure the person (and someone
typing their address) goes through every path that rate-limits or caches by address, account
or phone, with the production cache (the database cache, whose table the dump holds).
Transactional, and on SQLite a file database, so `pg_dump` and the raw file really see what was
written.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from coursekeeper import settings as production_settings
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy import jobs, rights
from coursekeeper.privacy.declarations import KeepHeld, TheAccount, registry
from coursekeeper.privacy.models import RightsRequest
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import (
    cache_entries_naming,
    factories_by_model,
    use_every_path_that_rate_limits,
)
from coursekeeper.privacy.trace import trace_person, unkeyed_digests
from coursekeeper.privacy.walks import export_person

pytestmark = pytest.mark.django_db(transaction=True)


def build_everything_for(person: Person) -> list[str]:
    """Create one row of every declared personal-data model about `person`."""
    factories = factories_by_model()
    built = []
    for declaration in registry:
        if not declaration.holds_personal_data or isinstance(declaration.subject, TheAccount):
            continue
        factory_class = factories[declaration.model]
        factory_class(**declaration.subject.factory_kwargs(person))
        built.append(declaration.label)
    return built


def held_rows() -> dict[str, set]:
    """Return the primary keys of every held declaration's rows, by declaration."""
    return {
        d.label: set(d.model._base_manager.values_list("pk", flat=True))
        for d in registry
        if isinstance(d.erasure, KeepHeld)
    }


def held_tables() -> set[str]:
    return {d.model._meta.db_table for d in registry if isinstance(d.erasure, KeepHeld)}


def dump_lines() -> list[tuple[str, str]]:
    """Return (table, line) for every row of the whole database, as a dump tool sees it."""
    settings_dict = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        with sqlite3.connect(settings_dict["NAME"]) as raw:
            lines = list(raw.iterdump())
        result = []
        for line in lines:
            match = re.match(r'INSERT INTO "([^"]+)"', line)
            result.append((match.group(1) if match else "", line))
        return result
    env = {
        **os.environ,
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
    }
    output = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "--no-owner",
            "-h",
            settings_dict.get("HOST") or "127.0.0.1",
            "-p",
            str(settings_dict.get("PORT") or 5432),
            "-U",
            settings_dict.get("USER") or "postgres",
            settings_dict["NAME"],
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    result, table = [], ""
    for line in output.splitlines():
        match = re.match(r"COPY public\.(\S+) ", line)
        if match:
            table = match.group(1).strip('"')
        elif line == "\\.":
            table = ""
        result.append((table, line))
    return result


def raw_sqlite_bytes() -> bytes:
    """Return the SQLite file's bytes after a checkpoint: free pages included."""
    path = Path(connection.settings_dict["NAME"])
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_r29_erasure_of_every_declared_model_leaves_no_trace(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The cache production runs, whatever the test settings say.
    settings.CACHES = production_settings.CACHES
    log_buffer = io.StringIO()
    handler = logging.StreamHandler(log_buffer)
    logging.getLogger().addHandler(handler)
    token = secrets.token_hex(6)
    email_mark = f"trace-{token}"
    new_email = f"moved-{token}@example.org"
    phone = f"+45 {secrets.randbelow(10**8):08d}"
    # Only the account itself holds this one: not even a held row may keep it.
    account_mark = f"only-{secrets.token_hex(6)}"
    try:
        subject_user = UserFactory(
            email=f"{email_mark}@example.org",
            full_name=f"Tove {token} Trace",
            phone=phone,
            job_title=f"Job {account_mark}",
        )
        bystander_user = UserFactory()
        typed_email = f"Trace-{token}@Example.org"
        use_every_path_that_rate_limits(subject_user, typed_email=typed_email, new_email=new_email)
        person = Person.for_user(subject_user)
        assert person.emails == {subject_user.email, new_email}
        # Searched for in clear and as digests; the account id (a small number) only as digests.
        identifiers = [typed_email, *sorted(person.emails), phone]
        digests = unkeyed_digests([*identifiers, str(subject_user.pk)])
        # The cache's keys are keyed hashes from the start: before any erasure, no entry names
        # the person, in clear or as an unkeyed digest.
        assert cache_entries_naming([token, *identifiers, *digests]) == []
        bystander = Person.for_user(bystander_user)
        built = build_everything_for(person)
        build_everything_for(bystander)
        bystander_before = export_person(bystander)

        # Export: every model built for the person is in the export, with their identifiers.
        exported = export_person(person)
        assert sorted(set(built) - set(exported)) == []
        assert token in json.dumps(exported, default=str)
        # The real export job a worker runs: a ZIP whose data holds the person's identifiers.
        export_job = jobs.request_export(user=subject_user)
        jobs.run_export_job(job_id=export_job.pk)
        export_job.refresh_from_db()
        with zipfile.ZipFile(export_job.file.path) as archive:
            assert token in archive.read("data.json").decode()

        held_before = held_rows()
        # The real erasure: a request from the account, carried out and answered by the job.
        request = rights.file_request(
            kind=RightsRequest.Kind.ERASURE,
            channel=RightsRequest.Channel.ACCOUNT,
            user=subject_user,
            base_url="http://testserver/",
        )
        erasure_job = jobs.request_erasure(user=subject_user, request=request)
        jobs.run_erasure_job(job_id=erasure_job.pk)
        erasure_job.refresh_from_db()
        assert erasure_job.status == "done"
    finally:
        logging.getLogger().removeHandler(handler)

    # Held rows stay, and only those; everyone else's data is untouched.
    held = {d.label: 1 for d in registry if isinstance(d.erasure, KeepHeld)}
    assert erasure_job.outcome["held"] == held
    request.refresh_from_db()
    assert (request.status, request.email, request.user_id) == ("answered", "", None)
    assert export_person(bystander) == bystander_before
    # Held rows outlive the account (their link to it is SET_NULL): nothing else is found for
    # the person any more, and only held rows still name their address (consent proofs).
    assert set(export_person(person)) <= {
        d.label for d in registry if isinstance(d.erasure, KeepHeld)
    }
    # Every held row of the two people is still there. The erasure may add held rows of its
    # own (the tasks to tell a recipient whom the erasure concerned, Art. 19), never remove one.
    held_after = held_rows()
    for label, keys in held_before.items():
        assert len(keys) == 2, label
        assert keys <= held_after[label], label

    # The whole database, the cache's table included: the token, the phone number and any
    # unkeyed digest of an identifier may appear only inside held tables.
    needles = [token, phone, *digests]
    traces = [
        (table, line[:160])
        for table, line in dump_lines()
        if table not in held_tables() and any(needle in line.lower() for needle in needles)
    ]
    assert traces == []
    if connection.vendor == "sqlite":
        # Freed pages are overwritten (secure_delete): not even the raw file holds what only
        # the deleted account held.
        assert account_mark.encode() not in raw_sqlite_bytes()

    # The trace tool reads every column of every table, whatever the declarations say.
    log_file = tmp_path / "app.log"
    log_file.write_text(log_buffer.getvalue())
    unheld = [
        t for t in trace_person([token, *identifiers, *digests], log_files=[log_file]) if not t.held
    ]
    assert unheld == []

    # Files and logs.
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert token not in log_buffer.getvalue()
