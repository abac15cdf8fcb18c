"""The withdrawal waiver (R15): the words the buyer agrees to, and the record of them.

The same functions give the checkout form its labels, the record its wording and the receipt
its confirmation, so what was shown is what was recorded. The wording is recorded in the
buyer's language, as the form showed it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from coursekeeper.commerce import pricing
from coursekeeper.commerce.models import Order, Product, WithdrawalWaiver
from coursekeeper.commerce.privacy import RECORD_WAIVER
from coursekeeper.privacy.people import Person


def waiver_kind(product: Product) -> str:
    return (
        WithdrawalWaiver.Kind.SERVICE
        if product.is_service
        else WithdrawalWaiver.Kind.DIGITAL_CONTENT
    )


def immediate_access_wording() -> str:
    return _(
        "I ask for access to the course content to start at once, before the 14-day "
        "withdrawal period ends."
    )


def waiver_acknowledgement_wording() -> str:
    return _("I know that I lose my right of withdrawal once access to the content has started.")


def early_start_wording() -> str:
    return _(
        "I ask for the service to start within the 14-day withdrawal period. I know that if I "
        "withdraw, I pay for what has been provided until then."
    )


def waiver_wording(product: Product, language: str) -> str:
    """Return the exact words the buyer ticked, in `language`, as the form showed them."""
    with translation.override(language):
        if product.is_service:
            return early_start_wording()
        return f"{immediate_access_wording()} {waiver_acknowledgement_wording()}"


def record_waiver(order: Order, product: Product, now: dt.datetime) -> WithdrawalWaiver | None:
    """Record the buyer's request for immediate access as the proof of it (R15); None when
    there was none, or when the privacy gate refuses (it goes on under a restriction)."""
    if order.immediate_start_requested_at is None:
        return None
    if not RECORD_WAIVER.ask(Person.for_account_or_email(order.buyer, order.email)):
        return None
    from coursekeeper.privacy.rules import release_date

    try:
        release = release_date(country=pricing.seller_country(), rule="limitation", event_at=now)
    except LookupError:
        # A seller country without a rule pack yet: the general 3 years (LEGAL.md).
        release = now + dt.timedelta(days=3 * 365)
    return WithdrawalWaiver.objects.create(
        order=order,
        buyer=order.buyer,
        email=order.email,
        kind=waiver_kind(product),
        wording=waiver_wording(product, order.language),
        language=order.language,
        given_at=order.immediate_start_requested_at,
        proof_release_at=release,
    )
