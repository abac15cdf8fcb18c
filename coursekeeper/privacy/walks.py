"""The two walks over the declaration: what we hold about a person, and erasing it.

Both read only the registry, so a model is covered the moment it is declared. This is the first,
minimal form: the rights engine (export files, erasure jobs, the ledger) builds on these.

Erasure is one transaction per person: a failure anywhere leaves the person untouched. Order:
rows found *through* other rows (sessions, via their UserSession) first, then every other
declaration, then the account itself, so no lookup loses the row it needs.

What reaches beyond the declared rows is done by the apps' erasure participants
(`participants.py`): the erasure job runs their before steps first, and `erase_person` reads
what the after steps need before the walk and runs them after it, in this same transaction. The
cache is one of them: its keys are keyed hashes by construction (privacy/cache.py, check
privacy.E008), and right after the walk the privacy app's after step deletes every entry the
sign-up library's rate limits keep about the person -- keys computed before the walk from
their addresses, phone and account id -- and every expired entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from coursekeeper.privacy.declarations import (
    Anonymise,
    Category,
    Declaration,
    Delete,
    KeepHeld,
    Linked,
    Participants,
    TheAccount,
    registry,
)
from coursekeeper.privacy.participants import Erasing, read_ahead, run_after_steps
from coursekeeper.privacy.people import Person


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class HeldRows:
    """The rows one declaration holds about a person, with their declared personal fields.

    `fields` are the declared personal fields, in declared order. Each row maps them to the
    value as stored: a foreign key as the related row's id (no query per row), a file as its
    storage name, a many-to-many field as the list of related ids — of accounts, only the
    person's own, so no one else's membership leaks into their copy. `ids` are the rows'
    primary keys, in the same order, so the copy can name each record.
    """

    declaration: Declaration
    fields: tuple[str, ...]
    rows: list[dict[str, Any]]
    ids: list[Any] = field(default_factory=list)


def _links(field, row_pks: list, person: Person) -> dict[Any, list]:
    """Return, per row pk, the ids a many-to-many field links it to (accounts: the person's)."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    pairs = through._base_manager.filter(**{f"{source}__in": row_pks})
    if field.related_model is person.user_model:
        pairs = pairs.filter(**{target: person.user_id})
    linked: dict[Any, list] = defaultdict(list)
    for row_pk, related in pairs.order_by(source, target).values_list(source, target):
        linked[row_pk].append(related)
    return linked


def held_about(person: Person) -> Iterator[HeldRows]:
    """Yield, declaration by declaration, the rows held about `person`; skip those with none."""
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        meta = declaration.model._meta
        fields = tuple(
            name
            for name, spec in declaration.fields.items()
            if isinstance(spec, Category) and meta.get_field(name).concrete
        )
        columns = [name for name in fields if not meta.get_field(name).many_to_many]
        found = list(
            declaration.rows_for(person)
            .order_by("pk")
            .values_list("pk", *[meta.get_field(name).attname for name in columns])
        )
        if not found:
            continue
        rows = [dict(zip(columns, values[1:], strict=True)) for values in found]
        for name in fields:
            if name not in columns:
                linked = _links(meta.get_field(name), [values[0] for values in found], person)
                for row, values in zip(rows, found, strict=True):
                    row[name] = linked.get(values[0], [])
        yield HeldRows(
            declaration=declaration,
            fields=fields,
            rows=[{name: row[name] for name in fields} for row in rows],
            ids=[values[0] for values in found],
        )


def export_person(person: Person) -> dict[str, list[dict]]:
    """Return what is held about `person`: per model, the declared personal fields of each row."""
    return {
        held.declaration.label: [
            {name: _plain(value) for name, value in row.items()} for row in held.rows
        ]
        for held in held_about(person)
    }


@dataclass
class ErasureOutcome:
    erased: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    anonymised: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    held: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # The codes of the after steps that ran (participants.py).
    steps: list[str] = field(default_factory=list)


def _erasure_order(declaration: Declaration) -> int:
    if isinstance(declaration.subject, Linked):
        return 0
    if isinstance(declaration.subject, TheAccount):
        return 2
    return 1


def _anonymise(declaration: Declaration, rows, person: Person) -> int:
    """Overwrite the declared fields; for shared rows, only the person's own share."""
    subject = declaration.subject
    count = 0
    if isinstance(subject, Participants):
        for path in subject.paths_:
            share = {name: "" for name in subject.shares.get(path, ())}
            count += rows.filter(**{f"{path}__pk": person.user_id}).update(**{path: None}, **share)
    erasure = declaration.erasure
    assert isinstance(erasure, Anonymise)  # called for an Anonymise erasure only
    if erasure.replacements:
        count = max(count, rows.update(**dict(erasure.replacements)))
    return count


def _delete_files(declaration: Declaration, rows) -> None:
    """Remove the stored files of rows about to be deleted; a row delete leaves them behind.

    The files go before the transaction commits. Should the transaction then roll back, the
    rows would point at missing files — the lesser harm next to files that outlive an erasure.
    """
    file_fields = [
        f.name for f in declaration.model._meta.concrete_fields if isinstance(f, models.FileField)
    ]
    if not file_fields:
        return
    for row in rows.only("pk", *file_fields):
        for name in file_fields:
            stored = getattr(row, name)
            if stored:
                stored.storage.delete(stored.name)


def delete_rows(declaration: Declaration, rows) -> int:
    """Delete `rows` of `declaration` with their stored files; return how many rows went."""
    _delete_files(declaration, rows)
    count, _per_model = rows.delete()
    return count


@transaction.atomic
def erase_person(person: Person, *, request_id: int | None = None) -> ErasureOutcome:
    """Apply every declaration's erasure action to the person's rows, all or nothing.

    The after steps of the erasure participants read what they need first, while everything is
    still there. Every consent in force is withdrawn next, so the proofs an erasure keeps carry
    the date they may go, and nothing that rests on consent runs for the person again. After
    the walk the after steps run, in this transaction. The before steps are the caller's to run
    first (`privacy.jobs`). `request_id` is the rights request the erasure answers, if any.
    """
    from coursekeeper.privacy.consents import withdraw_all

    read = read_ahead(person)
    withdraw_all(person)
    outcome = ErasureOutcome()
    for declaration in sorted(registry, key=_erasure_order):
        if not declaration.holds_personal_data:
            continue
        rows = declaration.rows_for(person)
        action = declaration.erasure
        if isinstance(action, KeepHeld):
            count = rows.count()
            if count:
                outcome.held[declaration.label] += count
        elif isinstance(action, Anonymise):
            count = _anonymise(declaration, rows, person)
            if count:
                outcome.anonymised[declaration.label] += count
        elif isinstance(action, Delete):
            count = delete_rows(declaration, rows)
            if count:
                outcome.erased[declaration.label] += count
    outcome.steps = run_after_steps(Erasing(person=person, request_id=request_id), read)
    return outcome
