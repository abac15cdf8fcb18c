"""The erasure ledger (R29): a restored backup cannot bring an erased person back.

A restore is simulated the way a backup holds the data: the person's rows are serialised before
the erasure (JSON, as `dumpdata` writes it) and saved back afterwards.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import serializers
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.jobs.registry import periodic_job
from coursekeeper.jobs.tasks import run_periodic_job
from coursekeeper.privacy.factories import ErasureLedgerEntryFactory, ObjectionFactory
from coursekeeper.privacy.ledger import (
    account_digest,
    erase_and_record,
    journal_entries,
    prune_ledger,
)
from coursekeeper.privacy.models import ErasureLedgerEntry, Objection
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import declaration_of
from coursekeeper.privacy.trace import trace_person
from coursekeeper.privacy.walks import export_person

pytestmark = pytest.mark.django_db


def make_person(token: str, label: str = "ledger") -> User:
    user = UserFactory(
        email=f"{label}-{token}@example.org",
        full_name=f"Lene {token} {label.title()}",
        phone=f"+45 {int(token[:6], 16) % 10**8:08d}",
    )
    ObjectionFactory(user=user)
    ObjectionFactory(user=user, purpose="shape_recommendations")
    return user


def back_up(user: User) -> str:
    """Return the account and its rows as a backup (dumpdata's JSON) holds them."""
    return serializers.serialize(
        "json",
        [user, *EmailAddress.objects.filter(user=user), *Objection.objects.filter(user=user)],
    )


def restore(backup: str) -> None:
    with transaction.atomic():
        for restored in serializers.deserialize("json", backup):
            restored.save()


def erase(user: User) -> None:
    """Erase the way the erasure job does: in its transaction, recording the account."""
    with transaction.atomic():
        erase_and_record(user)


def ledger_entry(**fields) -> ErasureLedgerEntry:
    return ErasureLedgerEntryFactory(digest=secrets.token_hex(32), **fields)


def reapply(*arguments: str) -> str:
    output = io.StringIO()
    call_command("privacy_reapply_erasures", *arguments, stdout=output)
    return output.getvalue()


def test_r29_the_ledger_holds_only_a_keyed_hash_and_its_key_is_not_in_the_database(settings, token):
    settings.ERASURE_LEDGER_KEY = f"ledger-key-{token}-" + "k" * 40
    user = make_person(token)
    user_id, joined, email = user.pk, user.date_joined, user.email

    erase(user)

    entry = ErasureLedgerEntry.objects.get()
    assert [f.column for f in ErasureLedgerEntry._meta.concrete_fields] == [
        "id",
        "digest",
        "erased_at",
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", entry.digest)
    assert entry.digest == account_digest(user_id, joined)
    # Every column of every table, the stored files: no address, name, phone, token or key.
    identifiers = [email, token, user.phone, settings.ERASURE_LEDGER_KEY]
    assert trace_person(identifiers) == []
    # Without the key the entry names nobody: the same account hashed with another key.
    settings.ERASURE_LEDGER_KEY = "another-key-" + "k" * 40
    assert account_digest(user_id, joined) != entry.digest


def test_r29_reapplying_erasures_erases_an_account_a_restored_backup_brought_back(token, caplog):
    user = make_person(token)
    bystander = make_person(secrets.token_hex(5), label="bystander")
    person = Person.for_user(user)
    bystander_before = export_person(Person.for_user(bystander))
    backup = back_up(user)
    erase(user)
    erased_at = ErasureLedgerEntry.objects.get().erased_at
    restore(backup)
    assert sorted(export_person(person)) == [
        "account.EmailAddress",
        "accounts.User",
        "privacy.ErasureLedgerEntry",  # the restored account matches its entry
        "privacy.Objection",
    ]

    with caplog.at_level(logging.INFO, logger="coursekeeper.privacy"):
        output = reapply()

    assert output == "Erased again: 1 account(s) restored from a backup.\n"
    assert export_person(person) == {}
    assert trace_person([person.primary_email, token]) == []
    assert export_person(Person.for_user(bystander)) == bystander_before
    entry = ErasureLedgerEntry.objects.get()
    assert entry.erased_at > erased_at  # the restored database may have been backed up since
    # Counts only: no id, address or digest.
    assert caplog.messages == ["erasure ledger: accounts erased again after a restore count=1"]


def test_r29_a_restore_that_also_rolls_back_the_ledger_table_is_caught_by_the_journal(
    token, settings
):
    """The whole database goes back to a backup taken before the erasure: the ledger table too.

    Only the journal outside the database still knows the person was erased.
    """
    user = make_person(token)
    person = Person.for_user(user)
    backup = back_up(user)
    erase(user)
    assert settings.ERASURE_LEDGER_JOURNAL.read_text().count("digest") == 1
    ErasureLedgerEntry.objects.all().delete()  # the table as the old backup holds it
    restore(backup)

    output = reapply()

    assert output == "Erased again: 1 account(s) restored from a backup.\n"
    assert export_person(person) == {}
    assert ErasureLedgerEntry.objects.count() == 1


def test_r29_a_torn_journal_line_is_skipped_and_pruning_rewrites_the_journal(settings, token):
    settings.BACKUP_RETENTION_DAYS = 35
    old_user, new_user = make_person(token, "old"), make_person(token, "new")
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        erase(old_user)
    erase(new_user)
    journal = settings.ERASURE_LEDGER_JOURNAL
    with journal.open("a") as handle:
        handle.write('{"digest": "abc')  # a crash mid-write
    assert len(journal_entries()) == 2

    prune_ledger()

    assert len(journal_entries()) == 1
    assert journal.read_text().count("\n") == 1
    assert ErasureLedgerEntry.objects.count() == 1


def test_r29_reapplying_finds_restored_accounts_among_many_in_small_batches(token):
    people = [make_person(token, label=f"many{number}") for number in range(5)]
    restored = [people[1], people[4]]
    backups = [back_up(user) for user in restored]
    for user in restored:
        erase(user)
    for backup in backups:
        restore(backup)

    assert reapply("--batch-size", "2") == "Erased again: 2 account(s) restored from a backup.\n"

    assert sorted(User.objects.values_list("pk", flat=True)) == sorted(
        user.pk for user in people if user not in restored
    )
    assert reapply() == "Erased again: 0 account(s) restored from a backup.\n"


@pytest.mark.parametrize("same_id", [False, True], ids=["new-id", "reused-id"])
def test_r29_someone_who_signs_up_again_with_the_same_email_starts_fresh(token, same_id):
    old = make_person(token)
    old_id, email = old.pk, old.email
    erase(old)
    # An id can come round again when a restore resets the sequence; the join date differs.
    new = UserFactory(email=email, **({"id": old_id} if same_id else {}))
    ObjectionFactory(user=new)
    new_person = Person.for_user(new)
    before = export_person(new_person)

    assert reapply() == "Erased again: 0 account(s) restored from a backup.\n"

    assert export_person(new_person) == before
    assert sorted(before) == ["account.EmailAddress", "accounts.User", "privacy.Objection"]
    assert ErasureLedgerEntry.objects.count() == 1


def test_r29_the_dry_run_only_counts(token):
    user = make_person(token)
    person = Person.for_user(user)
    backup = back_up(user)
    erase(user)
    restore(backup)
    before = export_person(person)
    entry_before = ErasureLedgerEntry.objects.values_list("digest", "erased_at").get()

    assert reapply("--dry-run") == "Would erase again: 1 account(s) restored from a backup.\n"

    assert export_person(person) == before
    assert ErasureLedgerEntry.objects.values_list("digest", "erased_at").get() == entry_before


def test_r29_pruning_removes_only_entries_older_than_the_backup_retention(settings):
    settings.BACKUP_RETENTION_DAYS = 35
    now = timezone.now()
    old = ledger_entry(erased_at=now - timedelta(days=35, seconds=1))
    edge = ledger_entry(erased_at=now - timedelta(days=34, hours=23))
    recent = ledger_entry(erased_at=now - timedelta(days=1))
    declared = declaration_of(ErasureLedgerEntry)
    assert list(declared.expired(now)) == [old]  # the declaration's retention says the same

    assert prune_ledger(now=now) == 1

    assert sorted(ErasureLedgerEntry.objects.values_list("pk", flat=True)) == [edge.pk, recent.pk]


def test_r29_the_ledger_retention_follows_the_setting_read_at_call_time(settings):
    now = timezone.now()
    entry = ledger_entry(erased_at=now - timedelta(days=10, seconds=1))
    kept = ledger_entry(erased_at=now - timedelta(days=9))
    settings.BACKUP_RETENTION_DAYS = 10

    assert prune_ledger(now=now) == 1

    assert list(ErasureLedgerEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ErasureLedgerEntry.objects.filter(pk=entry.pk).exists()


def test_r29_the_scheduler_prunes_the_ledger_daily_through_its_command(settings):
    settings.BACKUP_RETENTION_DAYS = 35
    job = periodic_job("prune_erasure_ledger")
    old = ledger_entry(erased_at=timezone.now() - timedelta(days=40))
    kept = ledger_entry()

    run_periodic_job.call(job.name)

    assert (job.interval, job.command) == (timedelta(days=1), "privacy_prune_ledger")
    assert list(ErasureLedgerEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ErasureLedgerEntry.objects.filter(pk=old.pk).exists()
