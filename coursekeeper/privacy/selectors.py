"""Reads of the privacy app that pages render."""

from __future__ import annotations

from dataclasses import dataclass, field

from coursekeeper.privacy.declarations import registry
from coursekeeper.privacy.purposes import ALL_PURPOSES, Purpose
from coursekeeper.privacy.texts import retention_text


@dataclass
class PurposeSummary:
    purpose: Purpose
    categories: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)


def processing_by_purpose() -> list[PurposeSummary]:
    """Return, per purpose, the categories it uses and how long they are kept."""
    summaries = {code: PurposeSummary(purpose) for code, purpose in ALL_PURPOSES.items()}
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        for purpose in declaration.purposes:
            summary = summaries[purpose.code]
            for category in declaration.categories():
                if str(category.label) not in summary.categories:
                    summary.categories.append(str(category.label))
            text = retention_text(declaration.retention)
            if text not in summary.retention:
                summary.retention.append(text)
    return [s for s in summaries.values() if s.categories]


# --- Rights -------------------------------------------------------------------------------------


@dataclass
class KeptData:
    """Rows an erasure keeps, and why: the ground, the law, and the day they may go."""

    what: str
    count: int
    law: str
    until: object  # a datetime, or None when no release date can be told
    reason: str = "legal_obligation"  # a HoldReason value: a legal obligation, or legal claims

    @property
    def for_legal_claims(self) -> bool:
        return self.reason == "legal_claims"

    @property
    def reason_label(self) -> str:
        from coursekeeper.privacy.declarations import HoldReason

        return str(HoldReason(self.reason).label)


def what_erasure_keeps(person, *, now=None) -> list[KeptData]:
    """Return, per held declaration, what an erasure of `person` keeps, why (a legal obligation
    or legal claims), under which law, and until when.

    A row whose hold starts with the erasure (a consent still in force: the erasure withdraws
    it first) has no release date yet; it is shown with the date an erasure now would give
    it, from the rule pack of the row's country (`Hold.country_column`) or the provider's.
    """
    from django.db.models import Count, Max
    from django.utils import timezone

    from coursekeeper.privacy.declarations import Hold, KeepHeld, provider_rule_country
    from coursekeeper.privacy.models import ProviderSettings
    from coursekeeper.privacy.rules import RULE_PACKS, hold_rule, release_date

    now = now or timezone.now()
    country = ProviderSettings.load().country
    pack_country = provider_rule_country()
    kept = []
    for declaration in registry:
        if not isinstance(declaration.erasure, KeepHeld):
            continue
        rows = declaration.rows_for(person)
        count = rows.count()
        if not count:
            continue
        retention = declaration.retention
        law, until, reason = "", None, "legal_obligation"
        if isinstance(retention, Hold) and retention.law_column:
            # Each row names its own law and release date (a course's duty to document
            # participation): one line per law, with the last day any of its rows is kept.
            per_law = (
                rows.values_list(retention.law_column)
                .annotate(count=Count("pk"), until=Max(retention.release_column))
                .order_by(retention.law_column)
            )
            for row_law, row_count, row_until in per_law:
                kept.append(
                    KeptData(
                        what=declaration.plural_name,
                        count=row_count,
                        law=row_law,
                        until=row_until,
                        reason=retention.reason.value,
                    )
                )
            continue
        if isinstance(retention, Hold):
            reason = retention.reason.value
            if retention.country_column:  # each row says whose law holds it
                packs = {
                    row_country if row_country in RULE_PACKS else pack_country
                    for row_country in rows.values_list(retention.country_column, flat=True)
                }
                laws = {
                    RULE_PACKS[pack][retention.rule].law
                    for pack in packs
                    if retention.rule in RULE_PACKS[pack]
                }
                law = "; ".join(sorted(laws)) or "; ".join(retention.laws())
            else:
                try:
                    law = hold_rule(country, retention.rule).law
                except LookupError:
                    law = "; ".join(retention.laws())
            dates = [rows.aggregate(until=Max(retention.release_column))["until"]]
            not_started = rows.filter(**{f"{retention.release_column}__isnull": True})
            countries = (
                set(not_started.values_list(retention.country_column, flat=True))
                if retention.country_column
                else ({pack_country} if not_started.exists() else set())
            )
            for row_country in countries:
                pack = row_country if row_country in RULE_PACKS else pack_country
                dates.append(release_date(country=pack, rule=retention.rule, event_at=now))
            until = max((date for date in dates if date is not None), default=None)
        kept.append(
            KeptData(
                what=declaration.plural_name,
                count=count,
                law=law,
                until=until,
                reason=reason,
            )
        )
    # What a law makes us keep first, then what is kept for legal claims: pages and the answer
    # email group them by that reason (`regroup`), and word each group by it.
    kept.sort(key=lambda item: item.for_legal_claims)
    return kept


def erased_categories(outcome) -> list[str]:
    """Return the labels of the categories an erasure removed or anonymised."""
    from django.apps import apps

    labels: list[str] = []
    for label in [*outcome.erased, *outcome.anonymised]:
        declaration = registry.get(apps.get_model(label))
        for category in declaration.categories() if declaration else ():
            if str(category.label) not in labels:
                labels.append(str(category.label))
    return labels


def my_privacy_overview(user) -> dict:
    """What the person's privacy page shows: requests, copies, consents, restriction, objections,
    and who among the staff saw their data (R35)."""
    from coursekeeper.privacy.access.selectors import seen_by_staff
    from coursekeeper.privacy.gate import about_person
    from coursekeeper.privacy.models import (
        Consent,
        ExportJob,
        Objection,
        Restriction,
        RightsRequest,
    )
    from coursekeeper.privacy.people import Person
    from coursekeeper.privacy.purposes import LegalBasis

    person = Person.for_user(user)
    objected = set(Objection.objects.filter(about_person(person)).values_list("purpose", flat=True))
    return {
        "requests": RightsRequest.objects.filter(about_person(person))
        .exclude(status=RightsRequest.Status.UNCONFIRMED)
        .order_by("-created_at")[:50],
        "exports": ExportJob.objects.filter(user=user).order_by("-requested_at")[:10],
        "consents": [
            (
                consent,
                ALL_PURPOSES[consent.purpose].title
                if consent.purpose in ALL_PURPOSES
                else consent.purpose,
            )
            for consent in Consent.objects.filter(
                about_person(person), withdrawn_at__isnull=True
            ).order_by("-given_at")
        ],
        "seen_by": seen_by_staff(person),
        "restricted": Restriction.objects.filter(
            about_person(person), lifted_at__isnull=True
        ).exists(),
        "objectable": [
            (purpose, purpose.code in objected or "" in objected)
            for purpose in ALL_PURPOSES.values()
            if purpose.basis == LegalBasis.LEGITIMATE_INTEREST and purpose.objectable
        ],
    }


@dataclass
class QueueRow:
    request: object
    deadline: object
    days_left: int
    overdue: bool
    # Recipients staff must still tell of the change by hand (Art. 19), and by when.
    recipients_to_tell: int = 0
    tell_by: object = None

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def request_queue(*, show_all: bool = False) -> list[QueueRow]:
    """Open requests (or all), earliest deadline first, with the days left.

    An answered request stays in the queue while a recipient is still to be told by hand.
    """
    from django.db.models import Q
    from django.utils import timezone

    from coursekeeper.privacy.models import RightsRequest
    from coursekeeper.privacy.recipient_notices.selectors import with_recipients_to_tell
    from coursekeeper.privacy.rights import deadline_order

    requests = with_recipients_to_tell(
        RightsRequest.objects.exclude(status=RightsRequest.Status.UNCONFIRMED)
    )
    if not show_all:
        requests = requests.filter(
            Q(status__in=RightsRequest.OPEN_STATUSES) | Q(recipients_to_tell__gt=0)
        )
    today = timezone.localdate()
    rows = []
    for request in requests.order_by(*deadline_order())[:500]:
        deadline = request.deadline
        days_left = (timezone.localdate(deadline) - today).days if deadline else 0
        rows.append(
            QueueRow(
                request=request,
                deadline=deadline,
                days_left=days_left,
                overdue=request.is_open and days_left < 0,
                recipients_to_tell=request.recipients_to_tell,
                tell_by=request.tell_by,
            )
        )
    return rows


def request_detail(pk: int) -> dict | None:
    """A request with its history, the person's account, and who must hear of a change.

    Once the change is carried out, `notices` says whom it was told to and how (Art. 19);
    before that, `recipients` lists whom it will be told to.
    """
    from django.utils import timezone

    from coursekeeper.privacy.models import ExportJob, RightsRequest
    from coursekeeper.privacy.people import Person
    from coursekeeper.privacy.recipient_notices.selectors import notices_for
    from coursekeeper.privacy.recipients import recipients_for
    from coursekeeper.privacy.rights import first_month_ends

    request = RightsRequest.objects.select_related("user", "logged_by").filter(pk=pk).first()
    if request is None:
        return None
    person = None
    if request.user_id:
        person = Person.for_user(request.user)
    elif request.email:
        person = Person.for_email(request.email)
    notices = notices_for(request)
    notify = request.kind in (
        RightsRequest.Kind.RECTIFICATION,
        RightsRequest.Kind.ERASURE,
        RightsRequest.Kind.RESTRICTION,
    )
    extension_until = first_month_ends(request) if request.due_at else None
    return {
        "request": request,
        # An extension is possible only while the first month runs (Art. 12(3)).
        "may_extend": request.extended_until is None
        and extension_until is not None
        and timezone.now() < extension_until,
        "events": request.events.select_related("actor"),
        "exports": ExportJob.objects.filter(request=request),
        "notices": notices,
        "carried_out": request.events.filter(action="carried_out").exists(),
        "recipients": recipients_for(person) if notify and person and not notices else [],
        "kept": what_erasure_keeps(person)
        if person and request.kind == RightsRequest.Kind.ERASURE
        else [],
    }
