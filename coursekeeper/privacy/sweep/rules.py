"""The sweep's rules: which declarations it applies, which rows expire, and what happens to them.

One `Rule` per declaration of personal data whose retention can run out (`sweep_rules`); its
`action` is to delete the expired rows, or to anonymise them in place when the row is meant to
outlive the person (see "Delete or anonymise" in `sweep.run`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet

from coursekeeper.privacy.declarations import (
    Account,
    After,
    AfterRelationshipEnds,
    Anonymise,
    Declaration,
    Hold,
    Retention,
    registry,
)
from coursekeeper.privacy.models import SweepLog

DELETE = SweepLog.Action.DELETE
ANONYMISE = SweepLog.Action.ANONYMISE


def _cut_link(declaration: Declaration) -> str | None:
    """Return the foreign key to null when expired rows are anonymised, not deleted; else None."""
    subject = declaration.subject
    if not isinstance(declaration.retention, After):
        return None  # the end of a legal hold is when the row goes: held rows are deleted
    if not isinstance(declaration.erasure, Anonymise):
        return None
    if not isinstance(subject, Account) or not subject.keeps_row_on_erasure:
        return None
    if "__" in subject.path:
        return None
    try:
        link = declaration.model._meta.get_field(subject.path)
    except FieldDoesNotExist:
        return None
    if not (isinstance(link, models.Field) and link.many_to_one and link.null):
        return None
    return subject.path


@dataclass(frozen=True)
class Rule:
    """One declaration as the sweep applies it: which rows expire, and what happens to them."""

    declaration: Declaration

    @property
    def label(self) -> str:
        return self.declaration.label

    @property
    def retention(self) -> Retention:
        retention = swept_part(self.declaration.retention)
        assert retention is not None  # `sweep_rules` makes rules of nothing else
        return retention

    @property
    def text(self) -> str:
        """The rule as declared, for the log (a model label and column names, nothing else)."""
        return self.retention.describe()[:200]

    @cached_property
    def link(self) -> str | None:
        return _cut_link(self.declaration)

    @property
    def action(self) -> str:
        return ANONYMISE if self.link else DELETE

    @property
    def _replacements(self) -> Mapping[str, Any]:
        erasure = self.declaration.erasure
        assert isinstance(erasure, Anonymise)  # a rule that cuts a link anonymises (_cut_link)
        return erasure.replacements

    def changes(self) -> dict:
        """Return what anonymising writes: the link cut, every declared replacement."""
        return {self.link: None, **dict(self._replacements)}

    def _done(self) -> Q:
        """Return the rows already anonymised: link cut, every replacement in place."""
        done = Q(**{f"{self.link}__isnull": True})
        for name, value in self._replacements.items():
            if not callable(value):
                done &= Q(**{name: value})
        return done

    def pending(self) -> QuerySet:
        """Return the rows the rule may still have work on (anonymised ones are done)."""
        rows = self.declaration.model._base_manager.all()
        return rows.exclude(self._done()) if self.action == ANONYMISE else rows

    def expired(self, as_of: dt.datetime) -> QuerySet:
        """Return the rows whose retention ran out before `as_of` and that are still to do."""
        rows = self.declaration.expired(as_of)
        return rows.exclude(self._done()) if self.action == ANONYMISE else rows


def swept_part(retention: Retention) -> Retention | None:
    """Return the part of `retention` the sweep applies, or None.

    Rows kept until a customer relationship has long ended go with their account, through
    erasure (`privacy.relationship`); only their own dated rows (an abandoned checkout) are
    the sweep's.
    """
    if isinstance(retention, AfterRelationshipEnds):
        return retention.dated
    return retention if isinstance(retention, After | Hold) else None


def sweep_rules() -> list[Rule]:
    """Return a rule per declaration of personal data whose retention can run out."""
    return [
        Rule(declaration)
        for declaration in registry
        if declaration.holds_personal_data and swept_part(declaration.retention) is not None
    ]
