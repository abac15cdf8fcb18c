"""How long rows are kept: the retentions a declaration names, and the events they count from.

A retention compiles to the filter of the rows that have run out (`expired_q`), read from
indexed columns only: a duration after an event (`After`), a legal hold until a stored release
date (`Hold`), as long as the account (`WhileAccountExists`), or the rule pack's period after
the customer relationship ends (`AfterRelationshipEnds`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.rules import expiry_cutoff, laws_of


class Event(models.TextChoices):
    """What a retention period counts from; each declaration ties it to an indexed column."""

    CREATED = "created", _("it was recorded")
    LAST_ACTIVITY = "last_activity", _("your last activity")
    LAST_SIGN_IN = "last_sign_in", _("your last sign-in")
    LAST_CONTACT = "last_contact", _("your last contact with us")
    RELATIONSHIP_ENDED = "relationship_ended", _("the end of the customer relationship")
    FINANCIAL_YEAR_ENDED = "financial_year_ended", _("the end of the financial year")
    LINK_SENT = "link_sent", _("the link was sent")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("you withdrew your consent")
    SENT = "sent", _("it was sent")
    FINISHED = "finished", _("it ended")
    EXPIRED = "expired", _("it expires")


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    """Return the same calendar moment `years` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


class Retention:
    def expired_q(self, as_of: dt.datetime) -> Q | None:
        raise NotImplementedError

    def columns(self) -> list[str]:
        return []

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class After(Retention):
    """Kept until a duration has passed since an event, read from an indexed timestamp column.

    `explanation` is for a column an app's services compute from several rules (a contact's
    `keep_until`): the sweep still reads only the column, and the policy and the notices show
    the explanation (a lazily translated text) instead of "until it expires".

    `rule` names a period that differs by country instead of fixed years and days: the
    provider's country's rule pack decides it when the sweep runs (`rules.expiry_cutoff`). A
    proof kept for the limitation period is `rule="limitation"`: three years from the event in
    Denmark (forældelsesloven § 3), three years from the end of its year in Germany (§§ 195,
    199 BGB), so the same row goes on different days under the two laws.
    """

    event: Event
    column: str
    years: int = 0
    days: int = 0
    explanation: Any = field(default=None, compare=False)
    rule: str = ""

    def __post_init__(self) -> None:
        if self.rule and (self.years or self.days):
            raise ValueError("A retention read from a rule pack has no years or days of its own.")

    def country(self) -> str:
        """Return the country whose rule pack decides a `rule` period: the provider's."""
        return provider_rule_country()

    def cutoff(self, as_of: dt.datetime) -> dt.datetime:
        if self.rule:
            return expiry_cutoff(country=self.country(), rule=self.rule, as_of=as_of)
        return add_years(as_of, -self.years) - dt.timedelta(days=self.days)

    def expired_q(self, as_of):
        return Q(**{f"{self.column}__lt": self.cutoff(as_of)})

    def columns(self):
        return [self.column]

    def laws(self) -> list[str]:
        return laws_of(self.rule) if self.rule else []

    def describe(self):
        if self.rule:
            return f"{self.rule} period after {self.event.value} ({self.column})"
        amount = f"{self.years} years" if self.years else f"{self.days} days"
        if self.years and self.days:
            amount = f"{self.years} years {self.days} days"
        return f"{amount} after {self.event.value} ({self.column})"


def provider_rule_country() -> str:
    """Return the provider's country when it has a rule pack, else Denmark's pack (LEGAL.md)."""
    from coursekeeper.privacy.models import ProviderSettings

    return rule_country(ProviderSettings.load().country)


def rule_country(country: str) -> str:
    """Return `country` when it has a rule pack, else Denmark's pack (LEGAL.md)."""
    from coursekeeper.privacy.rules import RULE_PACKS

    return country if country in RULE_PACKS else "DK"


@dataclass(frozen=True)
class WhileAccountExists(Retention):
    """Kept as long as the person has an account; goes with the account."""

    def expired_q(self, as_of):
        return None

    def describe(self):
        return "while the account exists"


@dataclass(frozen=True)
class AfterRelationshipEnds(Retention):
    """Kept until the rule pack's period has passed since the account's customer relationship
    ended (R20); then the account is erased, after a warning (`privacy.relationship`).

    The rows go with their account, through the erasure walk, never through the sweep: a
    person is told before their account goes, and a held row (an invoice) stays. `dated` is
    the retention of rows that do not wait for a relationship, read from a nullable column:
    a row with a date there goes on that date, through the sweep (an abandoned checkout); a
    row without one goes with its account. `country` names the rule pack (empty: the
    provider's), set only when a published policy's rule is read back.
    """

    rule: str = "customer_relationship"
    dated: After | None = None
    country: str = ""

    def pack_country(self) -> str:
        """Return the country whose rule pack sets the period: the provider's, unless named."""
        return rule_country(self.country) if self.country else provider_rule_country()

    def years(self) -> int:
        """Return the period in years, from that rule pack."""
        from coursekeeper.privacy.rules import hold_rule

        return hold_rule(self.pack_country(), self.rule).years

    def expired_q(self, as_of):
        return self.dated.expired_q(as_of) if self.dated else None

    def columns(self):
        return self.dated.columns() if self.dated else []

    def laws(self) -> list[str]:
        return laws_of(self.rule)

    def describe(self):
        own = f"; {self.dated.describe()}" if self.dated else ""
        return f"{self.rule} period after the customer relationship ends{own}"


class HoldReason(models.TextChoices):
    """Why a row outlives an erasure: the two grounds of GDPR Art. 17(3) the platform uses.

    A law may oblige the provider to keep a record (bookkeeping: Art. 17(3)(b)); a proof of
    what a person agreed to (a consent, a waiver of the right of withdrawal) is not kept under
    any such duty, but so that the provider can establish, exercise or defend legal claims
    about it, until they are time-barred (Art. 17(3)(e), R46). People are told which it is.
    """

    LEGAL_OBLIGATION = "legal_obligation", _("kept because a law requires it")
    LEGAL_CLAIMS = "legal_claims", _("kept to defend legal claims")


@dataclass(frozen=True)
class Hold(Retention):
    """Kept under a rule pack's rule, for `reason`, until a release date stored on the row.

    The release date is computed when the row is written, from the rule pack of the seller's
    country (`coursekeeper.privacy.rules`), so the sweep needs only an indexed comparison. A
    row whose hold has not started yet (a consent still in force) has no release date; an
    erasure starts it. `country_column` names the row's column saying whose rule pack applies
    (empty: the provider's).

    `law_column` names the row's column holding the law or professional duty itself, for a
    hold whose law and period the provider sets per record rather than a rule pack (a course
    that must document its participants' attendance, R9): then `rule` names the kind of hold
    only, the release date is written with the row and never left empty, and the erase page
    and the answer to an erasure show each row's own law.
    """

    rule: str
    release_column: str
    reason: HoldReason
    country_column: str = ""
    law_column: str = ""

    def expired_q(self, as_of):
        return Q(**{f"{self.release_column}__lt": as_of})

    def columns(self):
        return [self.release_column]

    def describe(self):
        if self.law_column:
            return f"held under the law named in {self.law_column} until {self.release_column}"
        return f"held under '{self.rule}' until {self.release_column}"

    def laws(self) -> list[str]:
        """Return the laws behind the rule in every country that has it."""
        return laws_of(self.rule)
