"""The personal-data declaration: what every model holds about whom, why, for how long, and
what erasure does to it.

Each app's `privacy.py` calls `declare(...)` once per model. Everything else — the system checks,
`privacy_map`, the export and erasure walks, the retention sweep, the register, the policy —
reads the `registry` built here, so none of them can drift from what is declared.

A declaration compiles to two querysets, both answered from indexed columns:
- `rows_for(person)`: the rows that are about this person;
- `expired(as_of)`: the rows whose retention has run out.
Nothing is ever found by scanning text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.purposes import Purpose
from coursekeeper.privacy.rules import expiry_cutoff, laws_of

if TYPE_CHECKING:
    from coursekeeper.privacy.people import Person


# --- Categories ---------------------------------------------------------------------------------


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    CREDENTIALS = "credentials", _("Sign-in credentials")
    PAYMENT = "payment", _("Payment")
    TECHNICAL = "technical", _("Technical data")
    USAGE = "usage", _("Use of the platform")
    PROFILE = "profile", _("Profile")
    MARKETING = "marketing", _("Marketing preferences")
    CONTENT = "content", _("Content you wrote")
    COMMUNICATION = "communication", _("Messages")
    RECORDING = "recording", _("Recordings")


@dataclass(frozen=True)
class NotPersonal:
    """A field that holds nothing about a person; personal-looking ones must say why."""

    reason: str = ""

    def because(self, reason: str) -> NotPersonal:
        return NotPersonal(reason=reason)


NOT_PERSONAL = NotPersonal()

FieldSpec = Category | NotPersonal


# --- Whose data ---------------------------------------------------------------------------------


class Subject:
    """Whose data a row is. Subclasses say how to find a person's rows by an indexed column."""

    def q(self, person: Person) -> Q | None:
        """Return the filter for the person's rows, or None when the person has none here."""
        raise NotImplementedError

    def paths(self) -> list[str]:
        """Return the lookups whose last column must be indexed."""
        return []

    def factory_kwargs(self, person: Person) -> dict[str, Any]:
        """Return what a test factory needs to build a row about this person."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def owners(self, row: models.Model) -> list[Owner]:
        """Return whom `row` is about, as (account id, email) pairs; empty when nobody's.

        The inverse of `q`: the access log asks it to name the person whose row a staff
        member saw. A subject that cannot name its person from the row (a keyed hash) says
        nobody, which is the truth the log can tell.
        """
        return []


# (account id, normalised email): whom a row is about, as a person reference stores it.
Owner = tuple[int | None, str]


def _follow(row: models.Model, path: str) -> Any:
    """Return the value at a foreign-key `path` of `row` (`"order__buyer"` gives the buyer's id).

    The last step reads the column (`buyer_id`), so the person's own row is never loaded.
    """
    *steps, last = path.split("__")
    target: Any = row
    for step in steps:
        target = getattr(target, step, None)
        if target is None:
            return None
    field = target._meta.get_field(last)
    return getattr(target, getattr(field, "attname", last), None)


@dataclass(frozen=True)
class Account(Subject):
    """The row hangs off a user account, through a foreign-key path (`"learner"`, `"order__buyer"`).

    `keeps_row_on_erasure` marks a path that is SET_NULL so a held row outlives the account.
    """

    path: str
    keeps_row_on_erasure: bool = False

    def q(self, person):
        if person.user_id is None:
            return None
        return Q(**{f"{self.path}__pk": person.user_id})

    def paths(self):
        return [self.path]

    def factory_kwargs(self, person):
        return {self.path: person.user}

    def describe(self):
        return f"account via {self.path}"

    def owners(self, row):
        user_id = _follow(row, self.path)
        return [(user_id, "")] if user_id is not None else []


@dataclass(frozen=True)
class TheAccount(Subject):
    """The row is the person's account itself."""

    def q(self, person):
        if person.user_id is None:
            return None
        return Q(pk=person.user_id)

    def paths(self):
        return ["id"]

    def factory_kwargs(self, person):
        return {}

    def describe(self):
        return "the account itself"

    def owners(self, row):
        return [(row.pk, "")]


@dataclass(frozen=True)
class Identifier(Subject):
    """The row names its person by a normalised, indexed identifier column (an email address)."""

    field_name: str

    def q(self, person):
        if not person.emails:
            return None
        return Q(**{f"{self.field_name}__in": sorted(person.emails)})

    def paths(self):
        return [self.field_name]

    def factory_kwargs(self, person):
        return {self.field_name: person.primary_email}

    def describe(self):
        return f"identifier {self.field_name}"

    def owners(self, row):
        email = _follow(row, self.field_name)
        return [(None, email)] if email else []


@dataclass(frozen=True)
class AccountOrEmail(Subject):
    """The row names an account or, for someone without one, a normalised email address."""

    account_path: str
    email_field: str

    def q(self, person):
        query = Q(pk__in=[])
        if person.user_id is not None:
            query |= Q(**{f"{self.account_path}__pk": person.user_id})
        if person.emails:
            query |= Q(**{f"{self.email_field}__in": sorted(person.emails)})
        return query

    def paths(self):
        return [self.account_path, self.email_field]

    def factory_kwargs(self, person):
        return {self.account_path: person.user, self.email_field: person.primary_email}

    def describe(self):
        return f"account via {self.account_path}, or identifier {self.email_field}"

    def owners(self, row):
        user_id = _follow(row, self.account_path)
        email = _follow(row, self.email_field) or ""
        if user_id is None and not email:
            return []
        return [(user_id, "" if user_id is not None else email)]


@dataclass(frozen=True)
class Generic(Subject):
    """The row points at the person's account through a content type and an object id."""

    content_type_field: str = "content_type"
    object_id_field: str = "object_id"

    def q(self, person):
        if person.user_id is None:
            return None
        from django.contrib.contenttypes.models import ContentType

        user_type = ContentType.objects.get_for_model(person.user_model)
        return Q(
            **{
                f"{self.content_type_field}_id": user_type.pk,
                self.object_id_field: str(person.user_id),
            }
        )

    def paths(self):
        return [self.object_id_field]

    def factory_kwargs(self, person):
        from django.contrib.contenttypes.models import ContentType

        return {
            self.content_type_field: ContentType.objects.get_for_model(person.user_model),
            self.object_id_field: str(person.user_id),
        }

    def describe(self):
        return f"generic relation {self.content_type_field}/{self.object_id_field}"

    def owners(self, row):
        from django.contrib.auth import get_user_model
        from django.contrib.contenttypes.models import ContentType

        user_type = ContentType.objects.get_for_model(get_user_model())
        if getattr(row, f"{self.content_type_field}_id") != user_type.pk:
            return []
        object_id = getattr(row, self.object_id_field)
        return [(int(object_id), "")] if str(object_id).isdigit() else []


@dataclass(frozen=True)
class Participants(Subject):
    """Several people share the row (a message, a 1:1 session); each path names one of them.

    `shares` says which fields are each participant's own share, so erasing one participant
    anonymises their share and leaves the others'.
    """

    paths_: tuple[str, ...]
    shares: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def q(self, person):
        if person.user_id is None:
            return None
        query = Q()
        for path in self.paths_:
            query |= Q(**{f"{path}_id": person.user_id})
        return query

    def paths(self):
        return list(self.paths_)

    def factory_kwargs(self, person):
        return {self.paths_[0]: person.user}

    def describe(self):
        return "participants " + ", ".join(self.paths_)

    def owners(self, row):
        user_ids = {_follow(row, f"{path}") for path in self.paths_}
        return [(user_id, "") for user_id in sorted(user_ids - {None})]


@dataclass(frozen=True)
class Linked(Subject):
    """The row is found through another declared model that names the person.

    Django's sessions carry no user column; allauth's `UserSession` maps session keys to users,
    so a person's sessions are `Session.session_key IN (their UserSession.session_key)`.
    """

    local_field: str
    through: str  # "app_label.ModelName"
    through_field: str
    through_subject: Subject

    def through_model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.through)

    def q(self, person):
        inner = self.through_subject.q(person)
        if inner is None:
            return None
        keys = self.through_model()._default_manager.filter(inner).values(self.through_field)
        return Q(**{f"{self.local_field}__in": keys})

    def paths(self):
        return [self.local_field]

    def factory_kwargs(self, person):
        return {"for_person": person}

    def describe(self):
        return f"{self.local_field} linked through {self.through}.{self.through_field}"

    def owners(self, row):
        key = getattr(row, self.local_field)
        linked = self.through_model()._base_manager.filter(**{self.through_field: key})
        return [owner for link in linked for owner in self.through_subject.owners(link)]


@dataclass(frozen=True)
class KeyedAccountHash(Subject):
    """The row names an account only by a keyed hash of it (the erasure ledger)."""

    field_name: str

    def q(self, person):
        from coursekeeper.privacy.ledger import account_digest

        user = person.user_model._base_manager.filter(pk=person.user_id).first()
        if user is None:
            return None
        return Q(**{self.field_name: account_digest(user.pk, user.date_joined)})

    def paths(self):
        return [self.field_name]

    def factory_kwargs(self, person):
        from coursekeeper.privacy.ledger import account_digest

        return {self.field_name: account_digest(person.user.pk, person.user.date_joined)}

    def describe(self):
        return f"keyed hash {self.field_name}"


@dataclass(frozen=True)
class Nobody(Subject):
    """The model holds no personal data at all (configuration, reference data)."""

    reason: str

    def q(self, person):
        return None

    def factory_kwargs(self, person):
        return {}

    def describe(self):
        return "nobody"


# --- How long -----------------------------------------------------------------------------------


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
    """

    rule: str
    release_column: str
    reason: HoldReason
    country_column: str = ""

    def expired_q(self, as_of):
        return Q(**{f"{self.release_column}__lt": as_of})

    def columns(self):
        return [self.release_column]

    def describe(self):
        return f"held under '{self.rule}' until {self.release_column}"

    def laws(self) -> list[str]:
        """Return the laws behind the rule in every country that has it."""
        return laws_of(self.rule)


# --- What erasure does --------------------------------------------------------------------------


class Erasure:
    kind = ""

    def describe(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Delete(Erasure):
    kind = "delete"


@dataclass(frozen=True)
class Anonymise(Erasure):
    """Overwrite the named fields; `replacements` maps a field to a value or a callable(row)."""

    replacements: Mapping[str, Any]
    kind = "anonymise"

    def describe(self):
        return "anonymise " + ", ".join(sorted(self.replacements))


@dataclass(frozen=True)
class KeepHeld(Erasure):
    """Keep the row through an erasure because a law requires it (see the retention's Hold)."""

    kind = "hold"


DELETE = Delete()
HOLD = KeepHeld()


# --- How a person reads the rows -----------------------------------------------------------------


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


# --- The declaration ----------------------------------------------------------------------------


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
    """Declare what `model` holds about whom; see the module docstring.

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
