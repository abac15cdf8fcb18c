"""The retention sweep (R33): what the declarations say has run out goes, batch by batch.

What is swept. Every declaration that holds personal data and whose retention can run out:
`After` (a duration after an event, read from the declared indexed column) and `Hold` (kept
because a law requires it, until the release date in its indexed release column). Rows kept
`WhileAccountExists`, or `AfterRelationshipEnds` (save its own dated rows, `swept_part`), go
with the account, through erasure (`privacy.relationship`), never here; declarations that hold
no personal data (`Nobody`, `declare_not_personal`) are skipped. The kind of subject makes no
difference: a `Linked` session expires like any other row, because expiry is read from the row's
own retention column through `Declaration.expired(as_of)`, never from whom the row is about.

Held rows. A row under a `Hold` is expired only once its release date has passed
(`release < as_of`); a row without a release date yet (a consent still in force) never is. So
the sweep never deletes a held row before its hold ends, and deletes it once the hold is over.

Delete or anonymise. An expired row is deleted, with its stored files, unless all four hold:
- its retention is `After` (when a legal hold ends, the row goes: a consent's or a cookie
  choice's proof is deleted once the limitation period is over, not kept without a name);
- the declaration's erasure is `Anonymise` (the row is meant to outlive what names the person);
- its subject is `Account(path, keeps_row_on_erasure=True)`: others keep using the row (a
  course outlives its instructor; an erasure job stays the proof that an erasure happened);
- `path` is a nullable foreign key of the model itself, so the link to the person can be cut.
Then the row is anonymised in place instead: that foreign key becomes NULL and the declaration's
replacements are written, as an erasure would. Rows already in that state are left out of the
selection, so a rerun finds nothing more to do. Everything else that expired is deleted.

Cascades and the fast path. When no other row refers to a batch's rows -- the model has no
delete signals (the sweep connects none), no parent model, no generic relation, and an indexed
EXISTS per foreign key pointing at the model finds nothing -- the batch goes in one DELETE
statement, loading no row: Django's own fast path (`_raw_delete`), which `QuerySet.delete()`
takes by itself only when no foreign key points at the model at all. Otherwise the batch goes
through `QuerySet.delete()` and Django's collector, so every on_delete rule holds (CASCADE,
SET_NULL, PROTECT); the rows removed along with it are counted per model (`cascaded`). The
system check privacy.E005 keeps any CASCADE from reaching a held row.

Batches, and what a killed run leaves. Per declaration, batches of at most `BATCH` rows
(10,000), each in its own transaction:
1. select the next batch's primary keys with the expiry filter, in pk order after the previous
   batch (an index range, nothing scanned twice), locking them (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL; SQLite serialises writers anyway): a row being written right now is left for the
   next run, and no row can change between its selection and its deletion;
2. delete (or anonymise) `pk IN (batch) AND <the expiry filter again>`, so a row whose retention
   moved meanwhile (a new last contact) is not touched (`_one_of`: the keys go as one array on
   PostgreSQL, as the batch's key range on SQLite, where that is exactly the batch);
3. add the batch's counts to the rule's `SweepLog` row, in the same transaction.
A run killed halfway leaves whole batches committed or not, and the log says exactly which
(`finished_at` stays empty); the next run picks up what is left. Rerunning is harmless: what is
gone is not found again. One moment, `as_of`, decides expiry for the whole run.

Dry run. Counts, per rule, the rows of the declaration itself that would go (cascades are not
predicted) and logs them marked as a dry run; no data row changes.

Failures. A rule whose batch fails (a PROTECT, a database error, a file that cannot be removed)
is logged with the error's class name and the sweep goes on with the other rules;
`manage.py privacy_sweep` then fails.

The forecast of what will expire (`sweep.forecast`) and the staff page's reading of the log
(`sweep.history`) live in their own modules; the rules all three apply, in `sweep.rules`.

Logs (SweepLog rows and the application log) hold model labels, rules and counts, never a value
from a row.

Ended services. After the declarations' own rules, the sweep deletes the rows held only on a
consent whose service ended (`privacy.service_ends.service_end_rules`): the same batches, locks
and log, one rule per declaration. They are not in the forecast: they are due at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from django.db import DatabaseError, connections, models, transaction
from django.db.models import F, Lookup, Q, QuerySet, signals
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from coursekeeper.privacy.models import SweepLog
from coursekeeper.privacy.sweep.rules import DELETE, Rule, sweep_rules
from coursekeeper.privacy.walks import _delete_files

# Named as before the sweep became a package, so that the log's configuration still finds it.
logger = logging.getLogger("coursekeeper.privacy.sweep")

# At most this many rows per transaction (the bound); tests pass smaller sizes.
BATCH = 10_000
# The sweep's own log (counts only) is kept two years: enough to answer how a rule was kept.
SWEEP_LOG_KEPT_FOR = dt.timedelta(days=730)


@dataclass
class RuleOutcome:
    """What the sweep did (or, in a dry run, would do) under one rule: counts only."""

    label: str
    rule: str
    action: str
    count: int = 0
    cascaded: Counter = field(default_factory=Counter)
    batches: int = 0
    error: str = ""


@dataclass
class SweepReport:
    run_id: uuid.UUID
    as_of: dt.datetime
    dry_run: bool
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleOutcome]:
        return [outcome for outcome in self.rules if outcome.error]

    def total(self, action: str) -> int:
        return sum(outcome.count for outcome in self.rules if outcome.action == action)


def run_sweep(
    *,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH,
) -> SweepReport:
    """Delete or anonymise every expired row (see the module docstring); return the counts."""
    if not 0 < batch_size <= BATCH:
        raise ValueError(f"A batch holds 1 to {BATCH} rows, not {batch_size}.")
    report = SweepReport(run_id=uuid.uuid4(), as_of=as_of or timezone.now(), dry_run=dry_run)
    # Imported here: the module builds its rules on this one's `Rule`.
    from coursekeeper.privacy.service_ends import service_end_rules

    for rule in [*sweep_rules(), *service_end_rules(report.as_of)]:
        outcome = _sweep_rule(rule, report, batch_size)
        report.rules.append(outcome)
        logger.info(
            "retention sweep rule=%s action=%s count=%s cascaded=%s batches=%s dry_run=%s%s",
            rule.label,
            rule.action,
            outcome.count,
            sum(outcome.cascaded.values()),
            outcome.batches,
            dry_run,
            f" error={outcome.error}" if outcome.error else "",
        )
    if not dry_run:
        pruned, _per_model = SweepLog.objects.filter(
            started_at__lt=report.as_of - SWEEP_LOG_KEPT_FOR
        ).delete()
        if pruned:
            logger.info("retention sweep: old run logs deleted count=%s", pruned)
    return report


def _sweep_rule(rule: Rule, report: SweepReport, batch_size: int) -> RuleOutcome:
    outcome = RuleOutcome(label=rule.label, rule=rule.text, action=rule.action)
    log = SweepLog.objects.create(
        run_id=report.run_id,
        declaration=rule.label,
        rule=rule.text,
        action=rule.action,
        dry_run=report.dry_run,
    )
    if report.dry_run:
        outcome.count = rule.expired(report.as_of).count()
        SweepLog.objects.filter(pk=log.pk).update(count=outcome.count, finished_at=timezone.now())
        return outcome
    after = None
    try:
        while True:
            with transaction.atomic():
                batch = _sweep_batch(rule, report.as_of, batch_size, after, log.pk, outcome)
            if batch is None:
                break
            # Committed: only now does the outcome count the batch.
            after = batch.last_pk
            outcome.count += batch.count
            outcome.cascaded.update(batch.cascaded)
            outcome.batches += 1
    except (DatabaseError, models.ProtectedError, models.RestrictedError, OSError) as error:
        outcome.error = type(error).__name__[:64]
    SweepLog.objects.filter(pk=log.pk).update(finished_at=timezone.now(), error=outcome.error)
    return outcome


@dataclass(frozen=True)
class Batch:
    last_pk: object
    count: int
    cascaded: Counter


def _sweep_batch(
    rule: Rule, as_of: dt.datetime, batch_size: int, after, log_pk: int, outcome: RuleOutcome
) -> Batch | None:
    """Sweep the next batch after pk `after`, in the caller's transaction; None when done."""
    expired = rule.expired(as_of)
    selection = expired if after is None else expired.filter(pk__gt=after)
    batch = list(
        selection.order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:batch_size]
    )
    if not batch:
        return None
    rows = expired.filter(_one_of(expired.model, batch, expired.db))  # the expiry filter again
    cascaded: Counter = Counter()
    if rule.action == DELETE:
        _delete_files(rule.declaration, rows)
        # The batch's key range, as a query: no need to send its 10,000 keys once more.
        keys = expired.filter(pk__gte=batch[0], pk__lte=batch[-1]).values("pk")
        per_model = _delete(rows, keys)
        count = per_model.get(rule.label, 0)
        cascaded.update({label: n for label, n in per_model.items() if label != rule.label and n})
    else:
        count = rows.update(**rule.changes())
    SweepLog.objects.filter(pk=log_pk).update(
        count=F("count") + count,
        batches=F("batches") + 1,
        cascaded=dict(outcome.cascaded + cascaded),
    )
    return Batch(last_pk=batch[-1], count=count, cascaded=cascaded)


class _AnyOf(Lookup):
    """`column = ANY(%s)` with one array parameter (PostgreSQL); built directly, not registered."""

    lookup_name = "sweep_any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def _one_of(model: type[models.Model], batch: list, using: str):
    """Return the filter "pk is one of `batch`" (pks in ascending order), cheaply.

    10,000 separate parameters cost more to build and send than the DELETE takes to run. On
    PostgreSQL the keys go as one array parameter (`pk = ANY(%s)`). On SQLite the batch's key
    range is exact: the batch is every row matching the expiry filter in that range, and SQLite
    lets no other writer in between the selection and the delete of one transaction.
    """
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return _AnyOf(F("pk"), batch)
    if vendor == "sqlite":
        return Q(pk__gte=batch[0], pk__lte=batch[-1])
    return Q(pk__in=batch)


def _delete(rows: QuerySet, batch: QuerySet) -> dict[str, int]:
    """Delete `rows` (the batch, expiry filter included); return the rows deleted per model.

    Django's `QuerySet.delete()` takes its fast path -- one DELETE, no row loaded -- only when no
    foreign key of any other model points at this one. Most swept models have such a key
    somewhere (an outbox message can be named by a newsletter delivery), yet for most batches no
    row refers to any of the batch's rows. So: when the model has no delete signals, no parent
    model and no generic relations, and an indexed EXISTS per foreign key pointing here finds no
    row referring to the batch (`batch`: a query of its keys), the batch is deleted in that one
    statement (`_raw_delete`, what `delete()` itself runs on its fast path); nothing else would
    have been touched. Otherwise Django's collector does the whole of it (cascades, SET_NULL,
    PROTECT). The batch's rows are locked (FOR UPDATE), so no new reference to them can appear
    before the commit.
    """
    model = rows.model
    meta = model._meta
    plain = (
        not signals.pre_delete.has_listeners(model)
        and not signals.post_delete.has_listeners(model)
        and not meta.concrete_model._meta.parents
        and not any(hasattr(f, "bulk_related_objects") for f in meta.private_fields)
        and not _referenced(model, batch, rows.db)
    )
    if plain:
        return {meta.label: rows._raw_delete(rows.db)}
    _total, per_model = rows.delete()
    return per_model


def _referenced(model: type[models.Model], batch: QuerySet, using: str) -> bool:
    """Return whether any row of another model refers to a row of `batch` (or might)."""
    # Django yields the reverse relations here (the stubs say fields), their models resolved.
    for relation in get_candidate_relations_to_delete(model._meta):
        related = cast(ForeignObjectRel, relation)
        link = related.field
        if link.remote_field.on_delete is models.DO_NOTHING:
            continue
        if link.target_field != model._meta.pk:
            return True  # a key to another column: let Django's collector decide
        others = cast("type[models.Model]", related.related_model)._base_manager.using(using)
        if others.filter(**{f"{link.name}__in": batch}).exists():
            return True
    return False
