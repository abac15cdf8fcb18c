"""The declaration of one model, the registry of them all, and `declare(...)` that fills it.

A `Declaration` ties a model to its subject, purposes, field categories, retention, erasure and
reading; it compiles to the two querysets everything else uses (`rows_for`, `expired`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet

from coursekeeper.privacy.declarations.categories import (
    NOT_PERSONAL,
    Category,
    FieldSpec,
    NotPersonal,
)
from coursekeeper.privacy.declarations.erasure import DELETE, Erasure
from coursekeeper.privacy.declarations.reading import Reading
from coursekeeper.privacy.declarations.retention import Retention, WhileAccountExists
from coursekeeper.privacy.declarations.subjects import Nobody, Subject
from coursekeeper.privacy.purposes import Purpose

if TYPE_CHECKING:
    from coursekeeper.privacy.people import Person


@dataclass
class Declaration:
    model: type[models.Model]
    subject: Subject
    purposes: tuple[Purpose, ...]
    fields: dict[str, FieldSpec]
    retention: Retention
    erasure: Erasure
    source: str = "person"  # where the data comes from: the person, their use, staff, a system
    notes: str = ""
    # What a person reads for these rows, when the model's own (third-party) name is not
    # translated or not plain: a lazily translated plural.
    title: Any = None
    reading: Reading = field(default_factory=Reading)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def plural_name(self) -> str:
        """Return what these rows are called in the active language ("contact messages")."""
        return str(self.title or self.model._meta.verbose_name_plural)

    def categories(self) -> list[Category]:
        return sorted(
            {spec for spec in self.fields.values() if isinstance(spec, Category)},
            key=list(Category).index,
        )

    @property
    def holds_personal_data(self) -> bool:
        return bool(self.categories())

    def rows_for(self, person: Person) -> QuerySet:
        """Return the rows about `person` (an index-backed filter; empty for Nobody)."""
        query = self.subject.q(person)
        manager = self.model._base_manager
        if query is None:
            return manager.none()
        return manager.filter(query)

    def expired(self, as_of: dt.datetime) -> QuerySet:
        """Return the rows whose retention ran out before `as_of`."""
        query = self.retention.expired_q(as_of)
        manager = self.model._base_manager
        if query is None:
            return manager.none()
        return manager.filter(query)


class Registry:
    def __init__(self) -> None:
        self._declarations: dict[type[models.Model], Declaration] = {}

    def add(self, declaration: Declaration) -> None:
        if declaration.model in self._declarations:
            raise ValueError(f"{declaration.label} is declared twice.")
        self._declarations[declaration.model] = declaration

    def get(self, model: type[models.Model]) -> Declaration | None:
        return self._declarations.get(model)

    def __iter__(self):
        return iter(sorted(self._declarations.values(), key=lambda d: d.label))

    def __len__(self) -> int:
        return len(self._declarations)

    def __contains__(self, model) -> bool:
        return model in self._declarations


registry = Registry()


def declare(
    model: type[models.Model],
    *,
    subject: Subject,
    fields: Mapping[str, FieldSpec],
    erasure: Erasure,
    purposes: Iterable[Purpose] = (),
    retention: Retention | None = None,
    source: str = "person",
    notes: str = "",
    title: Any = None,
    reading: Reading | None = None,
) -> Declaration:
    """Declare what `model` holds about whom; see the package docstring.

    `erasure` has no default: what an erasure does to the rows (DELETE, Anonymise(...), HOLD)
    is a decision each declaration states, never one it inherits by leaving it out.
    """
    declaration = Declaration(
        model=model,
        subject=subject,
        purposes=tuple(purposes),
        fields=dict(fields),
        retention=retention or WhileAccountExists(),
        erasure=erasure,
        source=source,
        notes=notes,
        title=title,
        reading=reading or Reading(),
    )
    registry.add(declaration)
    return declaration


def declare_not_personal(
    model: type[models.Model], *, reason: str, fields: Mapping[str, NotPersonal] | None = None
) -> Declaration:
    """Declare a model that holds no personal data at all, with the reason.

    `fields` gives a field that looks personal (an email address) its own reason.
    """
    own = dict(fields or {})
    if not all(isinstance(spec, NotPersonal) for spec in own.values()):
        raise TypeError(f"{model._meta.label}: a field's own reason is NOT_PERSONAL.because(...).")
    return declare(
        model,
        subject=Nobody(reason=reason),
        fields={
            f.name: own.get(f.name, NOT_PERSONAL.because(reason))
            for f in model._meta.get_fields()
            if f.concrete and not f.auto_created
        },
        retention=WhileAccountExists(),
        erasure=DELETE,
        source="system",
    )


FactoryKwargs = Callable[["Person"], dict[str, Any]]
