"""When an account's customer relationship ends (R20), as one SQL expression.

The relationship lasts until the latest of:
- the last sign-in (`last_login`; the day the account was made, for one never signed in to),
  and the last time its holder pressed "keep my account" behind a warning's link;
- every moment the shop declares with `relationship_lasts_until` in its `privacy.py`: a
  purchase, the end of a paid subscription period, the end of paid access to a course.
A free account's relationship so ends at its last sign-in, a paying customer's at the end of
what they paid for, when that is later. A moment in the future (a period paid ahead) keeps the
relationship going until then. Sessions end after two weeks (settings.SESSION_COOKIE_AGE), so
whoever uses the platform signs in again well within any warning's lead time.

`relationship_end(account)` is the expression, for any queryset that reaches the account
through `account` ("" for the accounts themselves): a column and one aggregate subquery per
moment, each an indexed lookup by account, so a selection over a million accounts is one
statement and no row is loaded to decide it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import ExpressionWrapper, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from coursekeeper.privacy.access.roles import customer_accounts
from coursekeeper.privacy.relationship.models import RelationshipWarning
from coursekeeper.security.services import token_digest


@dataclass(frozen=True)
class Moment:
    """A timestamp of an account's rows that its customer relationship lasts at least until."""

    model: type[models.Model]
    account: str  # the foreign key from the row to the account
    column: str


_moments: list[Moment] = []


def relationship_lasts_until(*moments: Moment) -> None:
    """Declare what, besides signing in, keeps a customer relationship going (the shop's part)."""
    for moment in moments:
        if moment in _moments:
            raise ValueError(f"{moment} is declared twice.")
        _moments.append(moment)


def moments() -> tuple[Moment, ...]:
    """Return every moment the relationship lasts until, the person's own ones last."""
    return (*_moments, Moment(RelationshipWarning, account="user", column="kept_at"))


def relationship_end(account: str = "") -> Greatest:
    """Return the expression of when the customer relationship of the account reached through
    `account` ended, or will end; never NULL."""
    prefix = f"{account}__" if account else ""
    output: models.DateTimeField = models.DateTimeField()
    signed_in = Coalesce(f"{prefix}last_login", f"{prefix}date_joined", output_field=output)
    latest = [signed_in]
    for moment in moments():
        last = (
            moment.model._base_manager.filter(**{moment.account: OuterRef(f"{prefix}pk")})
            .order_by()
            .values(moment.account)
            .annotate(last=Max(moment.column))
            .values("last")
        )
        # SQLite's multi-argument MAX() is NULL when one argument is: no moment, no NULL.
        latest.append(Coalesce(Subquery(last, output_field=output), signed_in))
    return Greatest(*latest, output_field=output)


def customers() -> QuerySet:
    """Return the accounts the relationship clock runs for: active, and not the staff's.

    A staff account is not a customer relationship: it ends when the school removes the
    staff member. An inactive account is being erased already (`privacy.jobs`).
    """
    return customer_accounts().filter(is_active=True)


def ended_before(cutoff: dt.datetime, accounts: QuerySet | None = None) -> QuerySet:
    """Return the accounts whose relationship ended before `cutoff`, annotated with its end.

    The sign-in, which the end is never earlier than, is compared first, so the subqueries
    run only for accounts not signed in to since `cutoff`.
    """
    accounts = customers() if accounts is None else accounts
    not_signed_in = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return (
        accounts.filter(not_signed_in)
        .annotate(relationship_ended_at=relationship_end())
        .filter(relationship_ended_at__lt=cutoff)
    )


def relationship_ended_at(user_id: int | None) -> dt.datetime | None:
    """Return when the customer relationship of account `user_id` ended (or will); None if
    there is no such account."""
    if user_id is None:
        return None
    return (
        get_user_model()
        ._base_manager.filter(pk=user_id)
        .values_list(relationship_end(), flat=True)
        .first()
    )


def warning_for_link(token: str) -> RelationshipWarning | None:
    """Return the warning behind a keep link while its account is there to keep, else None.

    `still_holds` says whether the account is still to go on the warning's date: no sign-in,
    purchase or keep has moved the relationship's end since.
    """
    holds = Q(relationship_ended_at__gte=relationship_end("user"))
    return (
        RelationshipWarning.objects.filter(
            token_digest=token_digest(token or ""), user__is_active=True
        )
        .annotate(still_holds=ExpressionWrapper(holds, output_field=models.BooleanField()))
        .first()
    )
