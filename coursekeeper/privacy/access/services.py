"""Write the access log (R35): one row per person whose data a staff member saw.

`record_access` is the one way a view of personal data is logged; callers pass the rows they
showed and the layer works out whose they are from the declarations (`Subject.owners`), so a
page cannot name the wrong person or forget one that a row belongs to. Rows about nobody (a
model that holds no personal data, a row whose person cannot be named) log nothing.

The rows are written in bulk in the caller's transaction: a page that fails to render after
reading still leaves its log, because the read has happened.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from coursekeeper.privacy.access.changes import stored_message
from coursekeeper.privacy.access.models import StaffAccess
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


def record_access(
    *,
    acting_user,
    rows: Iterable[models.Model],
    place: str,
    categories: Iterable[str] | None = None,
    purpose: str | None = None,
) -> int:
    """Log that `acting_user` saw `rows` on `place`; return how many access rows were written.

    `categories` are the data categories shown (default: every personal category the row's
    declaration names); `purpose` the purpose the data was seen for (default: the declaration's
    first). A row of an undeclared model or one about nobody is skipped.
    """
    entries: list[StaffAccess] = []
    answers: dict[tuple[int | None, str], bool] = {}
    for row in rows:
        model = type(row)._meta.concrete_model
        assert model is not None  # a row's model is concrete
        declaration = registry.get(model)
        if declaration is None or not declaration.holds_personal_data:
            continue
        shown = sorted(
            set(categories) if categories is not None else set(declaration.categories()),
            key=_category_order,
        )
        if not shown:
            continue
        why = purpose or (declaration.purposes[0].code if declaration.purposes else "")
        object_type = ContentType.objects.get_for_model(row)
        entries.extend(
            StaffAccess(
                user_id=user_id,
                email=email,
                staff=acting_user,
                categories=shown,
                object_type=object_type,
                object_id=str(row.pk),
                purpose=why,
                place=place[:120],
            )
            for user_id, email in dict.fromkeys(declaration.subject.owners(row))
            if _may_log(answers, user_id, email)
        )
    StaffAccess.objects.bulk_create(entries)
    if entries:
        logger.info(
            "staff access logged rows=%s place=%s staff=%s",
            len(entries),
            place,
            pseudonym(acting_user.pk),
        )
    return len(entries)


def _may_log(answers: dict[tuple[int | None, str], bool], user_id: int | None, email: str) -> bool:
    """Ask the gate once per person whether their access row may be written (it always may,
    short of a policy that does not announce the purpose: the log goes on under restriction)."""
    from coursekeeper.privacy.privacy import STAFF_ACCESS_LOG

    key = (user_id, email)
    if key not in answers:
        person = Person(user_id=user_id, emails=frozenset({email} if email else ()))
        answers[key] = STAFF_ACCESS_LOG.ask(person).allowed
    return answers[key]


def _category_order(code: str) -> int:
    values = [category.value for category in Category]
    return values.index(code) if code in values else len(values)


def record_staff_change(
    *, acting_user, obj: models.Model, action: int, message: list | str, **values: Any
) -> None:
    """Write the audit row of a staff member's change, in the change's own transaction.

    One table holds every staff write: the administration's own history (Django's `LogEntry`)
    and the platform's pages — role changes, refunds, request decisions, recipients, policy
    publication, newsletters, contact threads, published courses — so "who changed what, when"
    is read in one place (`/staff/changes/`) and in the admin's history of each object.
    `action` is `ADDITION`, `CHANGE` or `DELETION`; `message` is the admin's JSON change
    message (`[{"changed": {"fields": [...]}}]`) or the code of a platform change from
    `changes.ACTIONS`, whose text's placeholders `values` fill when it is read.

    The row names its object by type and id with a neutral text ("order 17"), never the
    object's own text, which for a person is their name: the audit trail repeats no personal
    data beyond the link the declarations know and erasure removes.
    """
    from django.contrib.admin.models import LogEntry

    if acting_user is None:
        return
    LogEntry.objects.create(
        user_id=acting_user.pk,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=f"{obj._meta.model_name} {obj.pk}"[:200],
        action_flag=action,
        change_message=(
            stored_message(message, values) if isinstance(message, str) else json.dumps(message)
        ),
    )
