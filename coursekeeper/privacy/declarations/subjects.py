"""Whose data a row is: the subjects a declaration names, each found by an indexed column.

A `Subject` turns a person into the filter for their rows (`q`), names the columns that must
be indexed (`paths`), builds a test row for the person (`factory_kwargs`), and, the other way
round, says whom a row is about (`owners`) for the access log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from coursekeeper.privacy.people import Person


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
