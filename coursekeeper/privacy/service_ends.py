"""When the service a consent served ends, the data held only on that consent goes (R29).

Design. A consent is given for a service: a newsletter, say. When the service ends, the consent
has nothing left to allow, and what was recorded only on it must go (GDPR Art. 5(1)(e),
17(1)(a)), just as when the person withdraws it. Each consent-based purpose declares, in its
app's `privacy.py`, the event that ends its service (`declare_service_end`): what it is called
(the policy's and the register's words), the staff action that records it (`where`, checked to
exist) and the capability that action needs (the access layer's). The checks refuse a
consent-based purpose without one (privacy.E020).

What ending does (`end_service`, one transaction):
- writes a `ServiceEnd` row, and the staff member's audit row beside it;
- ends every consent in force for the purpose at that moment, each proof with the release date
  of its person's country, as a withdrawal does (`consents.end_for_service`): the gate refuses
  the purpose from then on, and the proofs go when their limitation period has run out.
It deletes no data itself. The rows may be many, in several models; the retention sweep deletes
them in its batches, logged like every other rule (`service_end_rules`), on its next run.

What the sweep deletes. For a declaration whose purposes all rest on consent and whose services
have all ended: the rows whose retention column (when the row was recorded, or last used) lies
before the end. Left alone: data that also rests on another ground (a newsletter delivery that
also serves offers to customers: its own retention takes it), data held under a law or for
legal claims (a consent's proof), and anything recorded after the end.

Started again. `restart_service` closes the end; the consents it ended stay ended, so everyone
must consent again, and what they give after the end is kept: the sweep compares with the
moment of the end, not with whether the service runs now. Ending it again later ends the new
consents and deletes what was recorded until then.

What a rerun does. Ending an ended service returns its end unchanged and writes nothing;
starting a running one does nothing. The sweep finds nothing more once the rows are gone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from coursekeeper.privacy import consents
from coursekeeper.privacy.access.roles import Capability, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.declarations import After, Declaration, Hold, KeepHeld, registry
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import ServiceEnd
from coursekeeper.privacy.purposes import LegalBasis, Purpose
from coursekeeper.privacy.sweep import DELETE, Rule
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


# --- The declaration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredServiceEnd:
    """The event that ends the service a consent-based purpose serves."""

    purpose: Purpose
    # Completes "when …" and "until …": "the newsletter is discontinued" (lazily translated).
    title: Promise
    # The dotted name of the app's service that records the end (checked to exist).
    where: str
    # What a staff member must be able to do to end the service, or start it again.
    capability: Capability


_declared: dict[str, DeclaredServiceEnd] = {}


def declare_service_end(
    purpose: Purpose, *, title: Promise, where: str, capability: Capability
) -> DeclaredServiceEnd:
    """Declare what ends the service `purpose` serves; see the module docstring."""
    if purpose.basis != LegalBasis.CONSENT:
        raise ValueError(f"{purpose.code!r} does not rest on consent; its data has other ends.")
    declared = DeclaredServiceEnd(purpose=purpose, title=title, where=where, capability=capability)
    existing = _declared.setdefault(purpose.code, declared)
    if existing != declared:
        raise ValueError(f"The end of the {purpose.code!r} service is declared twice.")
    return declared


def declared_end(purpose_code: str) -> DeclaredServiceEnd | None:
    return _declared.get(purpose_code)


def all_declared() -> list[DeclaredServiceEnd]:
    return sorted(_declared.values(), key=lambda declared: declared.purpose.code)


def held_only_on_consent(declaration: Declaration) -> bool:
    """Return whether the end of the services of a declaration's purposes deletes its rows.

    Its purposes all rest on consent, and nothing holds its rows under a law or for legal
    claims.
    """
    return (
        consents.rests_only_on_consent(declaration)
        and not isinstance(declaration.retention, Hold)
        and not isinstance(declaration.erasure, KeepHeld)
    )


def ends_of(declaration: Declaration) -> list[DeclaredServiceEnd]:
    """Return the declared ends that delete a declaration's rows; empty when none does.

    A row held only on consent goes once every one of its purposes' services has ended, so
    every purpose must declare its end.
    """
    if not held_only_on_consent(declaration):
        return []
    ends = [_declared.get(purpose.code) for purpose in declaration.purposes]
    return [end for end in ends if end is not None] if all(ends) else []


def end_text(declaration: Declaration) -> str:
    """Return "at the latest when we discontinue the newsletter", or "" for other data."""
    ends = ends_of(declaration)
    if not ends:
        return ""
    return _("at the latest when %(end)s") % {"end": "; ".join(str(end.title) for end in ends)}


# --- Reads --------------------------------------------------------------------------------------


def current_end(purpose_code: str) -> ServiceEnd | None:
    """Return the end of the service `purpose_code` serves, while it has not started again."""
    return ServiceEnd.objects.filter(purpose=purpose_code, restarted_at__isnull=True).first()


# --- Writes -------------------------------------------------------------------------------------


def _declared_for(purpose_code: str, acting_user) -> DeclaredServiceEnd:
    declared = _declared.get(purpose_code)
    if declared is None:
        raise ValueError(f"No end of the {purpose_code!r} service is declared.")
    if not can(acting_user, declared.capability):
        raise PrivacyError("not_allowed")
    return declared


def _open_end(purpose_code: str) -> QuerySet:
    return ServiceEnd.objects.select_for_update().filter(
        purpose=purpose_code, restarted_at__isnull=True
    )


@transaction.atomic
def end_service(*, purpose: str, acting_user) -> ServiceEnd:
    """Record that the service `purpose` serves ended, and end the consents given for it.

    The app running the service calls this from its own staff action. Refused, with nothing
    changed, for someone without the declared capability; an ended service is returned as it is.
    """
    _declared_for(purpose, acting_user)
    existing = _open_end(purpose).first()
    if existing is not None:
        return existing
    now = timezone.now()
    end = ServiceEnd.objects.create(purpose=purpose, ended_at=now, ended_by=acting_user)
    ended = consents.end_for_service(purpose=purpose, ended_at=now)
    record_staff_change(acting_user=acting_user, obj=end, action=ADDITION, message=[{"added": {}}])
    logger.info(
        "service ended purpose=%s consents_ended=%s by=%s",
        purpose,
        ended,
        pseudonym(acting_user.pk),
    )
    return end


@transaction.atomic
def restart_service(*, purpose: str, acting_user) -> ServiceEnd | None:
    """Start an ended service again; return its end, now closed, or None if it was running.

    The consents the end ended stay ended: everyone who wants the service consents again.
    """
    _declared_for(purpose, acting_user)
    end = _open_end(purpose).first()
    if end is None:
        return None
    end.restarted_at = timezone.now()
    end.restarted_by = acting_user
    end.save(update_fields=["restarted_at", "restarted_by"])
    record_staff_change(
        acting_user=acting_user,
        obj=end,
        action=CHANGE,
        message=[{"changed": {"fields": ["restarted_at", "restarted_by"]}}],
    )
    logger.info("service started again purpose=%s by=%s", purpose, pseudonym(acting_user.pk))
    return end


# --- The sweep's rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceEndRule(Rule):
    """The rows of a declaration held only on consent, recorded before its services ended."""

    # The declaration's retention column (when a row was recorded or last used), the end a
    # row's column must lie before for the row to go, and the purposes whose services ended.
    column: str = ""
    cutoff: dt.datetime | None = None
    purposes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"service ended ({', '.join(self.purposes)}): recorded before ({self.column})"[:200]

    @property
    def link(self) -> str | None:
        return None  # data held only on consent is deleted, never kept without a name

    @property
    def action(self) -> str:
        return DELETE

    def expired(self, as_of: dt.datetime) -> QuerySet:
        return self.declaration.model._base_manager.filter(**{f"{self.column}__lt": self.cutoff})


def service_end_rules(as_of: dt.datetime) -> list[ServiceEndRule]:
    """Return a rule per declaration held only on consent whose services all ended by `as_of`.

    A row goes once every purpose it could rest on has ended since it was recorded: its column
    lies before the earliest of the purposes' latest ends.
    """
    latest = dict(
        ServiceEnd.objects.filter(ended_at__lte=as_of)
        .order_by()
        .values("purpose")
        .annotate(last=Max("ended_at"))
        .values_list("purpose", "last")
    )
    if not latest:
        return []
    rules = []
    for declaration in registry:
        retention = declaration.retention
        if not held_only_on_consent(declaration) or not isinstance(retention, After):
            continue  # data without a column is reported by privacy.E022
        codes = tuple(purpose.code for purpose in declaration.purposes)
        if all(code in latest for code in codes):
            rules.append(
                ServiceEndRule(
                    declaration,
                    column=retention.column,
                    cutoff=min(latest[code] for code in codes),
                    purposes=codes,
                )
            )
    return rules
