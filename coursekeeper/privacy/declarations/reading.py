"""How a declaration's rows read in the person's copy of their data (R28): `Reading`.

The export (`privacy.exports`) and the records a person sees (`privacy.records`) read this to
name a row, show its amounts in their currency, and label or write out what a stored value means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reading:
    """How a declaration's rows read in the person's copy of their data (R28), where the fields'
    own names and stored values would not say it.

    Every entry names a field or a lookup path from the row (`"lesson__module__course"`):

    - `references`: what tells a person which row this is or what it is about, shown even when
      declared not personal: an invoice's number, the order it belongs to, the course a lesson
      is in. The first one names the record ("Invoice number: INV-2026-0001").
    - `money`: each amount field and the field or path of its currency (`"total_minor":
      "currency"`, `"amount_minor": "order__currency"`). An integer amount is in minor units
      (øre, cent); a decimal one is already in the currency's unit.
    - `labels`: what a field or path is called, as lazily translated text, where the model's
      own `verbose_name` cannot be fixed at its source (a third-party model) or names it out of
      context (a lesson's module's "course").
    - `shown_as`: a function writing in words a value that means nothing to a person as stored
      (a purpose's code, a list of category codes, a staff member's account). It is called with
      the value as read from the row (a related row for a foreign key), None included.
    - `computed`: values derived from the row, shown with the references: key -> (label,
      function of the row); the words a consent was given to.
    """

    references: tuple[str, ...] = ()
    money: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, Any] = field(default_factory=dict)
    shown_as: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    # The function takes a row of the declared model (so, to mypy, Any like shown_as's).
    computed: Mapping[str, tuple[Any, Callable[[Any], Any]]] = field(default_factory=dict)

    def paths(self) -> list[str]:
        """Return every path the reading names, currency paths included, for the checks."""
        named = [*self.references, *self.money, *self.money.values(), *self.labels, *self.shown_as]
        return list(dict.fromkeys(named))
