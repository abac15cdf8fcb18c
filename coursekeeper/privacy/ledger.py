"""The erasure ledger: keyed hashes of erased people, so a restored backup cannot bring them back.

What is hashed is the account as it existed — its id together with the moment it was created —
never an email address alone. So a restore of an older backup, which brings back the same row,
matches its entry and is erased again, while someone who signs up again with the same address
gets a new account that matches nothing and starts fresh. The moment is taken in UTC and to the
millisecond, so a backup that keeps only milliseconds (`dumpdata`'s JSON) still matches.

The key (settings.ERASURE_LEDGER_KEY) is kept outside the database; without it the table names
nobody. Entries are kept only as long as backups are (settings.BACKUP_RETENTION_DAYS): after
that no backup can hold the person any more (`prune_ledger`, the daily `privacy_prune_ledger`).

Writing an entry. `erase_and_record(user)` is how an account is erased: in one transaction it
takes the account's digest from the row as stored, runs the erasure walk and only then writes
the entry. The order matters: the ledger is itself declared (its subject is the keyed hash), so
an entry written before the walk would be found as one of the person's rows and deleted by it.
Nothing is recorded on its own: a failure anywhere rolls back the erasure and the entry alike,
and a rerun (the entry already there) only moves `erased_at` forward.

After a restore. `reapply_erasures()` (`manage.py privacy_reapply_erasures`, to be run after
every restore) hashes every account in the database, in batches, looks the digests up in the
ledger and erases each match again through `erase_and_record`, one transaction per person. That
moves the entry's `erased_at` to now, because the restored database may itself have been backed
up before the rerun. The erasure participants' before steps are not run again: what they did
outside the database (a subscription cancelled at the provider) no restore of ours undoes.

The journal. Restoring a whole database also brings back its ledger table as it was then,
without the entries written since. So every entry is also appended to a journal, a plain file
outside the database (settings.ERASURE_LEDGER_JOURNAL, on storage the restore does not touch),
and `reapply_erasures` first copies every journal entry the table lacks back into it. The line is
written and flushed to disk inside the erasure's transaction, after the walk succeeded: should
the commit then fail, the journal names someone who asked to be erased and whose erasure job is
still due, so erasing them again after a restore only does what they asked. The opposite order
could lose the line of a committed erasure. Pruning rewrites the journal without the old lines.
Appends and rewrites hold an exclusive lock on the file, so two workers never interleave.

Logs carry counts only, never an id or a digest.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from coursekeeper.privacy.models import ErasureLedgerEntry
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import ErasureOutcome, erase_person

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000


def account_digest(user_id: int, date_joined: datetime) -> str:
    """Return the keyed hash that identifies one account as it was created."""
    joined = date_joined.astimezone(UTC)
    joined = joined.replace(microsecond=joined.microsecond // 1000 * 1000)
    message = f"account:{user_id}:{joined.isoformat()}".encode()
    return hmac.new(settings.ERASURE_LEDGER_KEY.encode(), message, hashlib.sha256).hexdigest()


def _stored_digest(user) -> str:
    """Return the digest of `user` as the database holds the account (what a backup holds)."""
    stored = (
        get_user_model()
        ._base_manager.filter(pk=user.pk)
        .values_list("date_joined", flat=True)
        .first()
    )
    return account_digest(user.pk, stored or user.date_joined)


@transaction.atomic
def erase_and_record(user, *, request_id: int | None = None) -> ErasureOutcome:
    """Erase the person of account `user` and record the account in the ledger, all or nothing.

    Joins the caller's transaction, so a job's "done" mark commits with both. `request_id` is
    the rights request the erasure answers, if any. Return what the erasure walk did.
    """
    digest = _stored_digest(user)
    outcome = erase_person(Person.for_user(user), request_id=request_id)
    erased_at = timezone.now()
    ErasureLedgerEntry.objects.update_or_create(digest=digest, defaults={"erased_at": erased_at})
    _append_to_journal(digest, erased_at)
    return outcome


# --- The journal outside the database ------------------------------------------------------------


def _journal() -> Path:
    return Path(settings.ERASURE_LEDGER_JOURNAL)


@contextlib.contextmanager
def _journal_lock():
    """Hold the journal's lock (a file beside it), so appends and a rewrite never interleave."""
    path = _journal()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _append_to_journal(digest: str, erased_at: datetime) -> None:
    """Append one entry to the journal and make sure it is on disk before returning."""
    line = json.dumps({"digest": digest, "erased_at": erased_at.isoformat()}) + "\n"
    with _journal_lock() as path, path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def journal_entries() -> dict[str, datetime]:
    """Return the journal's entries, the latest erasure time per digest; skip torn lines."""
    if not _journal().exists():
        return {}
    entries: dict[str, datetime] = {}
    with _journal_lock() as path, path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
                digest, erased_at = record["digest"], datetime.fromisoformat(record["erased_at"])
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash mid-write
            if digest not in entries or entries[digest] < erased_at:
                entries[digest] = erased_at
    return entries


def restore_ledger_from_journal() -> int:
    """Copy into the table every journal entry it lacks (after a restore); return how many."""
    entries = journal_entries()
    known = set(
        ErasureLedgerEntry.objects.filter(digest__in=list(entries)).values_list("digest", flat=True)
    )
    missing = [
        ErasureLedgerEntry(digest=digest, erased_at=erased_at)
        for digest, erased_at in entries.items()
        if digest not in known
    ]
    ErasureLedgerEntry.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    return len(missing)


def _prune_journal(cutoff: datetime) -> None:
    """Rewrite the journal without entries erased before `cutoff`: a new file, then a rename."""
    if not _journal().exists():
        return
    with _journal_lock() as path:
        kept = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    if datetime.fromisoformat(json.loads(line)["erased_at"]) >= cutoff:
                        kept.append(line)
                except (ValueError, KeyError, TypeError):
                    continue
        fresh = path.with_name(path.name + ".new")
        with fresh.open("w", encoding="utf-8") as handle:
            handle.writelines(kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(fresh, path)


def restored_account_ids(*, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[int]:
    """Yield the id of every account in the database whose digest is in the ledger.

    Reads only ids and join dates, `batch_size` accounts at a time, with one indexed lookup of
    the digests per batch. Accounts erased while iterating do not disturb the walk.
    """
    users = get_user_model()._base_manager.order_by("pk")
    last_pk = 0
    while True:
        batch = list(users.filter(pk__gt=last_pk).values_list("pk", "date_joined")[:batch_size])
        if not batch:
            return
        last_pk = batch[-1][0]
        ids_by_digest = {account_digest(pk, joined): pk for pk, joined in batch}
        found = ErasureLedgerEntry.objects.filter(digest__in=list(ids_by_digest)).values_list(
            "digest", flat=True
        )
        yield from sorted(ids_by_digest[digest] for digest in found)


def reapply_erasures(*, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Erase again every account a restored backup brought back; return how many were erased."""
    user_model = get_user_model()
    restored = restore_ledger_from_journal()
    if restored:
        logger.info("erasure ledger: entries restored from the journal count=%s", restored)
    erased = 0
    for user_id in restored_account_ids(batch_size=batch_size):
        with transaction.atomic():
            user = user_model._base_manager.select_for_update().filter(pk=user_id).first()
            if user is None:  # erased by someone else meanwhile
                continue
            erase_and_record(user)
        erased += 1
    logger.info("erasure ledger: accounts erased again after a restore count=%s", erased)
    return erased


def prune_ledger(now: datetime | None = None) -> int:
    """Delete the entries older than the backups kept; return how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BACKUP_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _per_model = ErasureLedgerEntry.objects.filter(erased_at__lt=cutoff).delete()
    _prune_journal(cutoff)
    logger.info("erasure ledger: entries past the backup retention deleted count=%s", deleted)
    return deleted
