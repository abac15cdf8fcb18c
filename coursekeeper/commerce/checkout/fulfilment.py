"""Fulfilling a paid checkout, or closing a failed one (R12-R16).

Design. `fulfil_checkout` asks the provider for the checkout's state first (outside any lock),
then fulfils in ONE transaction with the order's row locked: paid, account, enrolment, waiver,
invoice, VAT evidence, gift, subscription, receipt, together or not at all. A second call (the
return after the webhook, a replayed event) finds the order paid and changes nothing, so
whichever comes first does the work once. `fail_checkout` likewise re-checks the provider and
never touches an order that is paid.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.commerce import invoices
from coursekeeper.commerce.checkout.waiver import record_waiver
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import (
    Order,
    PendingCheckout,
    Product,
    ShopSettings,
    WithdrawalWaiver,
)
from coursekeeper.commerce.providers.base import CheckoutState, SubscriptionState, get_provider
from coursekeeper.messaging.services import queue_email
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

# The statuses an order is fulfilled from once the provider says it is paid: a payment that
# arrives after the checkout was marked failed or expired still counts.
OPEN_STATUSES = (Order.Status.PENDING, Order.Status.FAILED, Order.Status.EXPIRED)


def fulfil_checkout(*, provider: str, session_id: str) -> Order | None:
    """Fulfil the order behind a provider checkout once it is paid; return it (None: unknown).

    Safe to call any number of times and in any order with other events: the state is
    re-fetched from the provider, and an order already fulfilled is returned unchanged.
    """
    order = Order.objects.filter(provider=provider, provider_session_id=session_id).first()
    if order is None or not session_id:
        return None
    if order.status not in OPEN_STATUSES:
        return order
    payment_provider = get_provider(provider)
    state = payment_provider.retrieve_checkout(session_id)
    if state.status != "paid":
        return order
    subscription_state = None
    if state.subscription_ref:
        subscription_state = payment_provider.retrieve_subscription(state.subscription_ref)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in OPEN_STATUSES:
            return order
        if (
            state.order_ref != str(order.public_id)
            or state.amount_minor != order.total_minor
            or state.currency.upper() != order.currency
        ):
            # Never fulfil what was not paid in full: staff look at it.
            logger.error(
                "checkout %s: provider state does not match the order (amount or currency); "
                "left pending for staff",
                order.pk,
            )
            return order
        _fulfil(order, state=state, subscription_state=subscription_state)
    return order


def _fulfil(
    order: Order, *, state: CheckoutState, subscription_state: SubscriptionState | None
) -> None:
    from coursekeeper.commerce import gifts

    now = timezone.now()
    line = order.lines.select_related("product").first()
    product = line.product if line else None
    order.status = Order.Status.PAID
    order.paid_at = now
    order.provider_payment_ref = state.payment_ref
    if ShopSettings.current().keep_card_details and state.card is not None:
        order.card_last4 = state.card.last4
        order.card_exp_month = state.card.exp_month or None
        order.card_exp_year = state.card.exp_year or None
    if order.buyer_id is None:
        order.buyer = _account_for(order)
    order.keep_until = paid_order_kept_until(order, paid_at=now)
    order.save()
    PendingCheckout.objects.filter(order=order).delete()
    buyer = order.buyer

    is_subscription = product is not None and product.kind == Product.Kind.SUBSCRIPTION
    if product is not None and buyer is not None and not order.for_others and not is_subscription:
        _enrol(buyer, product)
    waiver = record_waiver(order, product, now) if product is not None else None
    invoice = _issue_invoice(order)
    invoices.record_vat_evidence(order=order, card_country=state.card.country if state.card else "")
    if product is not None and product.gift_description:
        gifts.record_gift_shipment(order=order)
    if is_subscription and subscription_state is not None and buyer is not None:
        # It records the subscription and gives access to its courses until the paid period ends.
        from coursekeeper.commerce import subscriptions

        subscriptions.grant_subscription(order=order, state=subscription_state)
    _queue_receipt(order, product=product, invoice=invoice, waiver=waiver)
    logger.info("checkout %s paid; buyer %s", order.pk, pseudonym(order.buyer_id))


def paid_order_kept_until(order: Order, *, paid_at: dt.datetime) -> dt.datetime | None:
    """Return the day a paid order goes on its own: none for a sale to an account (R20).

    A sale to an account is part of its customer relationship and goes with the account, the
    rule pack's period after the relationship ends (`privacy.relationship`). A sale without an
    account (its sign-up lapsed before the payment came) is a relationship that ended with the
    purchase: it goes the same period after it. The invoice is held longer under its own law.
    """
    from coursekeeper.privacy.relationship.services import period_ends

    return None if order.buyer_id is not None else period_ends(paid_at)


def _account_for(order: Order) -> User | None:
    """Return the account the order belongs to: an existing one with the email, or a new one.

    An existing account is attached without touching its password, and the browser digest is
    cleared so the return page never signs anyone into it. A new account gets the password the
    buyer chose; its address is not verified by a payment, so it stays unverified.
    """
    from allauth.account.models import EmailAddress

    from coursekeeper.accounts.services import complete_registration

    email = normalize_email(order.email)
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        order.browser_digest = ""
        return existing
    pending = PendingCheckout.objects.filter(order=order).first()
    if pending is None:
        # The sign-up lapsed before a late payment arrived: staff attach it; the receipt goes
        # to the address anyway.
        logger.warning("checkout %s paid without a waiting sign-up", order.pk)
        order.browser_digest = ""
        return None
    user = User(email=email)
    complete_registration(
        user=user,
        full_name=pending.full_name,
        adult_confirmed=True,
        language=pending.language,
        time_zone=pending.time_zone,
    )
    user.adult_confirmed_at = pending.adult_confirmed_at
    user.password = pending.password_hash
    user.phone = order.phone
    user.street_address = order.street_address
    user.postal_code = order.postal_code
    user.city = order.city
    user.country = order.country if order.country in _KNOWN_COUNTRIES else ""
    user.company = order.company_name
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    logger.info("account created at checkout person=%s", pseudonym(user.pk))
    return user


def _known_countries() -> set[str]:
    from coursekeeper.accounts.choices import COUNTRY_CHOICES

    return {code for code, _label in COUNTRY_CHOICES}


_KNOWN_COUNTRIES = _known_countries()


def _enrol(buyer: User, product: Product) -> None:
    from coursekeeper.learning.services import enroll_learner

    for course in product.courses.filter(is_published=True):
        enroll_learner(learner=buyer, course=course)


def _issue_invoice(order: Order):
    """Issue the invoice; a seller profile that cannot invoice yet does not undo the sale.

    The buyer paid, so access is given either way; the order then stands without an invoice
    (logged as an error) until staff complete the seller's details and issue it. Checkouts are
    refused while the details are incomplete, so this is only for details removed mid-checkout.
    """
    try:
        with transaction.atomic():
            return invoices.issue_invoice(order=order)
    except CommerceError as refusal:
        logger.error("checkout %s: no invoice issued (%s)", order.pk, refusal.code)
        return None


def _queue_receipt(order: Order, *, product: Product | None, invoice, waiver) -> None:
    base = settings.SITE_URL.rstrip("/")
    number = getattr(invoice, "number", "")
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "product": product,
        "invoice_number": number,
        "invoice_url": f"{base}/me/invoices/{number}/" if number else "",
        "waiver": waiver,
        "is_digital_content": waiver is not None
        and waiver.kind == WithdrawalWaiver.Kind.DIGITAL_CONTENT,
        "seats_url": f"{base}{reverse('checkout:seats', args=[order.public_id])}"
        if order.for_others
        else "",
        "courses_url": f"{base}{reverse('learning:dashboard')}",
    }
    with translation.override(order.language):
        subject = render_to_string("commerce/email/receipt_subject.txt", context).strip()
        body = render_to_string("commerce/email/receipt_message.txt", context)
    queue_email(
        to=order.email,
        subject=subject,
        body_text=body,
        language=order.language,
        template="commerce/receipt",
        recipient=order.buyer,
    )


def fail_checkout(*, provider: str, session_id: str) -> Order | None:
    """Mark an unpaid order failed or expired when the provider says so; return it.

    The state is re-checked with the provider; a paid order (or a checkout the provider now
    reports paid) is never touched. The waiting sign-up goes with the failed checkout.
    """
    order = Order.objects.filter(provider=provider, provider_session_id=session_id).first()
    if order is None or not session_id:
        return None
    if order.status != Order.Status.PENDING:
        return order
    state = get_provider(provider).retrieve_checkout(session_id)
    if state.status not in ("failed", "expired"):
        return order
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return order
        order.status = Order.Status.EXPIRED if state.status == "expired" else Order.Status.FAILED
        order.browser_digest = ""
        order.save(update_fields=["status", "browser_digest"])
        PendingCheckout.objects.filter(order=order).delete()
    return order
