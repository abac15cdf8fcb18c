"""A person's rows as they read them: one record per row, in their language and time zone (R28).

The copy of a person's data (`exports`) is built from these records, so `data.json`, the CSV
files and the summary say the same thing. A record is one row of one declaration, with

- its id, so two orders are told apart and an order line names the order it belongs to;
- what names it (`Reading.references`): an invoice's number, an order's reference, the course
  and the lesson a progress record is about — shown even where the declaration calls them not
  personal, since they are what the person knows the row by;
- its values: every declared personal field the copy carries, under a label a person
  understands (the field's `verbose_name`, or the declaration's label for a field whose model
  cannot be fixed at its source), in the exact form a program reads (`data`) and in words
  (`text`): money as an amount with its currency, not minor units; dates and times in the
  person's time zone; choices by their labels; yes or no; a foreign key by the title of what it
  points at (a course, a lesson, a product), or by the record it names in the same copy.

What is left out or withheld. The link to the person's own account (an order's buyer, an
enrolment's learner) is the person themself and says nothing more, so it is not shown; a link
to someone else's account shows only that it is another account. Texts of the credentials
category (a password hash, a two-factor secret, a confirmation key) are replaced by `WITHHELD`
— a copy that leaks must not open the account — and so is the id of a row whose key is such a
secret (a session). Their dates and flags still show.

Call everything here inside `translation.override` and `timezone.override`: labels and texts are
written in the active language and time zone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, cast

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from coursekeeper.privacy.declarations import (
    Account,
    AccountOrEmail,
    Category,
    Declaration,
    registry,
)
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import HeldRows

WITHHELD_CATEGORIES = frozenset({Category.CREDENTIALS})
WITHHELD = "[withheld]"
MINOR_SUFFIX = "_minor"


@dataclass(frozen=True)
class Value:
    """One value of a record: `data` exact and JSON-safe, `text` as the summary writes it."""

    key: str
    label: str
    category: Category | None
    data: Any
    text: str


@dataclass(frozen=True)
class Record:
    """One row about the person, as they read it."""

    id: Any
    declaration: Declaration
    name: str  # "Invoice number: INV-2026-0001"; empty when nothing names the row
    references: tuple[Value, ...]
    values: tuple[Value, ...]

    @property
    def categories(self) -> list[Category]:
        present = {value.category for value in self.values if value.category is not None}
        return [category for category in Category if category in present]


# --- Paths and labels ----------------------------------------------------------------------------


def _field_at(model: type[models.Model], path: str) -> models.Field:
    """Return the field a lookup path (`"lesson__module__course"`) ends in."""
    *steps, last = path.split("__")
    # Casts: a path's steps are relations, resolved to model classes once the apps are ready,
    # and a declared path ends in a field.
    for step in steps:
        model = cast("type[models.Model]", model._meta.get_field(step).related_model)
    return cast(models.Field, model._meta.get_field(last))


def _follow(row: models.Model | None, path: str) -> Any:
    """Return the value at `path` of `row`: a related row for a foreign key, None past a gap."""
    value: Any = row
    for step in path.split("__"):
        if value is None:
            return None
        value = getattr(value, step)
    return value


def label_of(declaration: Declaration, path: str) -> str:
    """Return what the field or path is called in the active language, capitalised."""
    label = declaration.reading.labels.get(path)
    if label is None:
        label = _field_at(declaration.model, path).verbose_name
    return capfirst(str(label))


def key_of(declaration: Declaration, path: str) -> str:
    """Return the key a value has in `data.json`: the path, and an amount in minor units without
    its `_minor` suffix (the copy carries the amount itself)."""
    if path in declaration.reading.money and path.endswith(MINOR_SUFFIX):
        return path.removesuffix(MINOR_SUFFIX)
    return path


def _is_account(model_field: models.Field) -> bool:
    from django.contrib.auth import get_user_model

    return model_field.is_relation and model_field.related_model is get_user_model()


def own_account_fields(declaration: Declaration) -> frozenset[str]:
    """Return the fields that link the row to the person's own account: not shown (it is them)."""
    subject = declaration.subject
    if isinstance(subject, Account):
        paths = [subject.path]
    elif isinstance(subject, AccountOrEmail):
        paths = [subject.account_path]
    else:
        return frozenset()
    meta = declaration.model._meta
    return frozenset(
        path
        for path in paths
        if "__" not in path and _is_account(cast(models.Field, meta.get_field(path)))
    )


def shown_fields(declaration: Declaration, fields: Iterable[str]) -> tuple[str, ...]:
    """Return `fields` without the link to the person's own account."""
    own = own_account_fields(declaration)
    return tuple(name for name in fields if name not in own)


def reference_paths(declaration: Declaration, fields: Iterable[str]) -> tuple[str, ...]:
    """Return the reference paths not already among the shown `fields`, in declared order."""
    fields = set(fields)
    return tuple(path for path in declaration.reading.references if path not in fields)


# --- Values in words -----------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    return str(value)  # Decimal, UUID, timedelta: their exact text


def _text(value: Any) -> str:
    """Return a plain value in words, in the active language and time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, dt.time):
        return formats.time_format(value, "TIME_FORMAT")
    if isinstance(value, float | Decimal):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, dict):
        return json.dumps(_json_safe(value), ensure_ascii=False)
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    return str(value)


def money_text(amount: Decimal, currency: str) -> str:
    """Return an amount as "1,000.00 DKK" in the active language's number format."""
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}".strip()


def _money(model_field: models.Field, stored: Any, currency: Any) -> tuple[Any, str]:
    if stored is None:
        return None, ""
    amount = Decimal(stored)
    if not isinstance(model_field, models.DecimalField):
        amount = amount / 100  # minor units: øre, cent
    amount = amount.quantize(Decimal("0.01"))
    currency = str(currency or "")
    return {"amount": str(amount), "currency": currency}, money_text(amount, currency)


def _is_secret(category: Category | None, stored: Any) -> bool:
    # Secrets are texts or structures (a hash, a key, a two-factor device's data); a date or a
    # flag in the same category says only when or whether, and is shown.
    return (
        category in WITHHELD_CATEGORIES
        and isinstance(stored, str | bytes | dict | list)
        and bool(stored)
    )


class Reader:
    """Writes one person's rows as records; knows who "you" are and caches nothing else."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self._naming = False  # naming a related row: its own relations go by their ids

    def is_you(self, value: Any) -> bool:
        return (
            isinstance(value, self.person.user_model)
            and self.person.user_id is not None
            and value.pk == self.person.user_id
        )

    def related_text(self, related: models.Model) -> tuple[Any, str]:
        """Return a related row as `data` (its id) and in words: its title, or what names it.

        Another person's account is only "another account", without its id.
        """
        if isinstance(related, self.person.user_model):
            return (None, _("you")) if self.is_you(related) else (None, _("another account"))
        declaration = registry.get(related._meta.model)
        if declaration is not None and declaration.holds_personal_data:
            # A row of personal data is named the way its own record is (one step deep, so
            # two rows that name each other end), or by its id.
            if declaration.reading.references and not self._naming:
                self._naming = True
                try:
                    first = self.value(declaration, related, declaration.reading.references[0])
                finally:
                    self._naming = False
                if first is not None and first.text:
                    return _json_safe(related.pk), first.text
            return _json_safe(related.pk), _("record %(id)s") % {"id": related.pk}
        return _json_safe(related.pk), str(related)

    def value(
        self,
        declaration: Declaration,
        row: models.Model,
        path: str,
        *,
        category: Category | None = None,
        linked: list | None = None,
    ) -> Value | None:
        """Return the value at `path` of `row`, or None when it is the person's own account.

        `linked` is the list of related ids a many-to-many field holds (from the walk, which
        keeps only the person's own account among accounts).
        """
        reading = declaration.reading
        model_field = _field_at(declaration.model, path)
        key, label = key_of(declaration, path), label_of(declaration, path)
        if model_field.many_to_many:
            related_model = cast("type[models.Model]", model_field.related_model)
            related = related_model._base_manager.filter(pk__in=linked or [])
            texts = [self.related_text(item)[1] for item in related.order_by("pk")]
            return Value(key, label, category, texts, ", ".join(texts))
        stored = _follow(row, path)
        if _is_secret(category, stored):
            return Value(key, label, category, WITHHELD, WITHHELD)
        if path in reading.shown_as:
            text = str(reading.shown_as[path](stored) or "")
            # A related row written in words keeps only the words (no one else's id).
            data = text if model_field.is_relation else _json_safe(stored)
            return Value(key, label, category, data, text)
        if path in reading.money:
            data, text = _money(model_field, stored, _follow(row, reading.money[path]))
            return Value(key, label, category, data, text)
        if isinstance(stored, models.Model):
            if self.is_you(stored):
                return None
            data, text = self.related_text(stored)
            return Value(key, label, category, data, text)
        if isinstance(model_field, models.FileField):
            name = PurePosixPath(stored.name).name if stored else ""
            return Value(key, label, category, name, name)
        if isinstance(stored, dt.datetime) and timezone.is_aware(stored):
            stored = timezone.localtime(stored)
        if model_field.flatchoices and stored not in (None, ""):
            text = str(dict(model_field.flatchoices).get(stored, stored))
            return Value(key, label, category, _json_safe(stored), text)
        return Value(key, label, category, _json_safe(stored), _text(stored))

    def record(
        self,
        declaration: Declaration,
        row: models.Model,
        *,
        fields: tuple[str, ...],
        linked: dict[str, list],
    ) -> Record:
        """Return `row` as a record with the values of `fields` (already without the account)."""
        pk_field = declaration.model._meta.pk
        record_id = (
            WITHHELD
            if declaration.fields.get(pk_field.name) in WITHHELD_CATEGORIES
            else _json_safe(row.pk)
        )
        values = [
            self.value(
                declaration,
                row,
                name,
                # The walk holds the fields declared with a category (see held_about).
                category=cast(Category, declaration.fields[name]),
                linked=linked.get(name),
            )
            for name in fields
        ]
        references = [
            self.value(declaration, row, path) for path in reference_paths(declaration, fields)
        ]
        for key, (label, compute) in declaration.reading.computed.items():
            text = str(compute(row) or "")
            references.append(Value(key, capfirst(str(label)), None, text, text))
        shown = {value.key: value for value in [*references, *values] if value is not None}
        name = ""
        if declaration.reading.references:
            first = shown.get(key_of(declaration, declaration.reading.references[0]))
            if first is not None and first.text:
                name = f"{first.label}: {first.text}"
        return Record(
            id=record_id,
            declaration=declaration,
            name=name,
            references=tuple(value for value in references if value is not None),
            values=tuple(value for value in values if value is not None),
        )


# --- Reading what the walk found -----------------------------------------------------------------


def _joins(
    declaration: Declaration, paths: Iterable[str], *, with_their_names: bool = True
) -> list[str]:
    """Return the `select_related` chains that load every related row `paths` pass through,
    and what names each related record (its first reference), so a person's rows of one
    declaration take one query."""
    joins = set()
    for path in paths:
        model, steps = declaration.model, []
        for step in path.split("__"):
            model_field = model._meta.get_field(step)
            if not (model_field.is_relation and model_field.concrete) or model_field.many_to_many:
                break
            steps.append(step)
            joins.add("__".join(steps))
            model = cast("type[models.Model]", model_field.related_model)
        else:
            target = registry.get(model)
            if with_their_names and target is not None and target.reading.references:
                first = target.reading.references[0]
                for chain in _joins(target, [first], with_their_names=False):
                    joins.add(f"{path}__{chain}")
    return sorted(joins)


def read_held(
    person: Person, held: HeldRows, *, fields: tuple[str, ...]
) -> tuple[tuple[str, ...], list[Record]]:
    """Return the fields shown and the records of the rows the walk found, in the walk's order.

    The rows are read again with their related rows joined; one that went between the walk and
    this read is left out, as it is no longer held.
    """
    declaration = held.declaration
    fields = shown_fields(declaration, fields)
    meta = declaration.model._meta
    paths = [
        *[name for name in fields if not meta.get_field(name).many_to_many],
        *reference_paths(declaration, fields),
        *[declaration.reading.money[name] for name in fields if name in declaration.reading.money],
    ]
    joins = _joins(declaration, paths)
    rows = {row.pk: row for row in declaration.rows_for(person).select_related(*joins)}
    reader = Reader(person)
    records = []
    for pk, values in zip(held.ids, held.rows, strict=True):
        row = rows.get(pk)
        if row is None:
            continue
        linked = {name: values[name] for name in fields if meta.get_field(name).many_to_many}
        records.append(reader.record(declaration, row, fields=fields, linked=linked))
    return fields, records
