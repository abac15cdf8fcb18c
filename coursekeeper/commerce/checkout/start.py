"""Starting a checkout: from the form to the provider's hosted page (R11, R12).

Design. `start_checkout` re-quotes on the server and refuses ("price_changed") when the total
the buyer saw is not the total now; nothing is created then. The order, its line and (for a
guest) the pending sign-up with the password already hashed are created in one transaction,
under the coupon's row lock. The provider's hosted checkout is then created in a second
transaction that holds the order's row lock, so a double-submitted form (same submission key:
it becomes the order's public id) waits for the first request and is sent to the same payment
page instead of opening a second one.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.commerce import invoices, pricing
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order, OrderLine, PendingCheckout, Product
from coursekeeper.commerce.privacy import ABANDONED_ORDER_KEPT_FOR, START_CHECKOUT
from coursekeeper.commerce.providers.base import (
    CheckoutLine,
    CheckoutRequest,
    ProviderError,
    get_provider,
)
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import token_digest

logger = logging.getLogger(__name__)

CHECKOUT_VALID_FOR = dt.timedelta(days=1)
DIGITAL_CONTENT_KINDS = (Product.Kind.COURSE, Product.Kind.BUNDLE)


@dataclass(frozen=True)
class BillingDetails:
    full_name: str
    email: str
    street_address: str
    postal_code: str
    city: str
    country: str
    phone: str = ""
    company_name: str = ""
    vat_number: str = ""


@dataclass(frozen=True)
class GuestSignup:
    """What a buyer without an account gives to have one made when the payment is confirmed."""

    password: str
    adult_confirmed: bool
    time_zone: str = "Europe/Copenhagen"


def _public_id(submission_key: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(submission_key)) if submission_key else uuid.uuid4()
    except ValueError:
        return uuid.uuid4()


def _same_starter(order: Order, *, buyer, browser_token: str) -> bool:
    if buyer is not None and getattr(buyer, "is_authenticated", False):
        return order.buyer_id == buyer.pk
    return bool(order.browser_digest) and hmac.compare_digest(
        order.browser_digest, token_digest(browser_token)
    )


def start_checkout(
    *,
    product: Product,
    currency: str,
    billing: BillingDetails,
    buyer: User | None,
    guest: GuestSignup | None,
    coupon_code: str = "",
    seats: int = 1,
    for_others: bool = False,
    immediate_start: bool = False,
    expected_total_minor: int | None,
    base_url: str,
    browser_token: str,
    language: str = "en",
    submission_key: str | None = None,
) -> tuple[Order, str]:
    """Create the order and the provider's hosted checkout; return the order and its page.

    `expected_total_minor` is the total the buyer saw; a different total now refuses with
    "price_changed" and creates nothing. A second call with the same `submission_key` from the
    same buyer (a double submit) returns the first order and its page.
    """
    if buyer is not None and not getattr(buyer, "is_authenticated", False):
        buyer = None
    if not product.active:
        raise CommerceError("product_not_found")
    if not invoices.seller_can_invoice():
        # Every sale needs its invoice; refuse before anything is charged rather than sell
        # without one.
        raise CommerceError("shop_not_ready")
    if product.kind in DIGITAL_CONTENT_KINDS and not immediate_start:
        raise CommerceError("immediate_access_required")
    if buyer is None:
        if guest is None or not guest.password or not billing.full_name or not billing.email:
            raise CommerceError("guest_details_missing")
        if not guest.adult_confirmed:
            raise CommerceError("adult_confirmation_missing")
    decision = START_CHECKOUT.ask(Person.for_account_or_email(buyer, billing.email))
    if not decision:
        raise CommerceError(
            "processing_restricted" if decision.reason == "restricted" else "processing_refused"
        )
    language = language if language in ("da", "de", "en") else "en"
    public_id = _public_id(submission_key)

    existing = Order.objects.filter(public_id=public_id).first()
    if existing is not None:
        return _resume(existing, buyer=buyer, browser_token=browser_token, base_url=base_url)

    now = timezone.now()
    offer = pricing.quote(
        product=product,
        currency=currency,
        seats=seats,
        coupon_code=coupon_code,
        buyer_country=billing.country,
        vat_number=billing.vat_number,
        now=now,
    )
    if expected_total_minor is None or expected_total_minor != offer.total_minor:
        raise CommerceError("price_changed")
    try:
        provider = get_provider()
    except LookupError as missing:
        # The shop's settings name a provider this installation does not offer (the test
        # provider where test payments are off): refuse before anything is created.
        raise CommerceError("no_payment_provider") from missing
    password_hash = make_password(guest.password) if buyer is None and guest else ""

    try:
        with transaction.atomic():
            coupon = pricing.claim_coupon(offer.coupon, now=now) if offer.coupon else None
            order = Order.objects.create(
                public_id=public_id,
                status=Order.Status.PENDING,
                buyer=buyer,
                email=normalize_email(buyer.email if buyer is not None else billing.email),
                full_name=billing.full_name.strip(),
                company_name=billing.company_name.strip(),
                vat_number=pricing.vat.normalise_vat_number(billing.vat_number),
                street_address=billing.street_address.strip(),
                postal_code=billing.postal_code.strip(),
                city=billing.city.strip(),
                country=billing.country.upper(),
                phone=billing.phone.strip(),
                language=language,
                seats=seats,
                for_others=for_others,
                coupon=coupon,
                currency=currency,
                subtotal_minor=offer.subtotal_minor,
                discount_minor=offer.discount_minor,
                vat_minor=offer.vat_minor,
                total_minor=offer.total_minor,
                vat_rate=offer.vat.rate,
                vat_country=offer.vat.country,
                vat_scheme=offer.vat.scheme,
                provider=provider.name,
                immediate_start_requested_at=now if immediate_start else None,
                created_at=now,
                expires_at=now + CHECKOUT_VALID_FOR,
                keep_until=now + ABANDONED_ORDER_KEPT_FOR,
                browser_digest=token_digest(browser_token) if buyer is None else "",
            )
            for line in offer.lines:
                OrderLine.objects.create(
                    order=order,
                    product=line.product,
                    description=line.description,
                    quantity=line.quantity,
                    unit_net_minor=line.unit_net_minor,
                    net_minor=line.net_minor,
                    vat_minor=line.vat_minor,
                )
            if buyer is None:
                assert guest is not None  # refused above: a guest's checkout needs the sign-up
                PendingCheckout.objects.create(
                    order=order,
                    email=order.email,
                    full_name=order.full_name,
                    password_hash=password_hash,
                    language=language,
                    time_zone=guest.time_zone,
                    adult_confirmed_at=now,
                    browser_digest=order.browser_digest,
                    expires_at=now + CHECKOUT_VALID_FOR,
                )
    except IntegrityError:
        # The same form arrived twice at once and the other request created the order.
        existing = Order.objects.filter(public_id=public_id).first()
        if existing is None:
            raise
        return _resume(existing, buyer=buyer, browser_token=browser_token, base_url=base_url)
    url = _open_provider_checkout(order, product=product, base_url=base_url)
    order.refresh_from_db()
    return order, url


def _resume(order: Order, *, buyer, browser_token: str, base_url: str) -> tuple[Order, str]:
    """Answer a double submit: the same buyer's order goes to its payment page again."""
    if not _same_starter(order, buyer=buyer, browser_token=browser_token):
        raise CommerceError("checkout_taken")
    if order.status != Order.Status.PENDING:
        return order, reverse("checkout:return", args=[order.public_id])
    line = order.lines.select_related("product").first()
    if line is None:
        raise CommerceError("order_not_found")
    url = _open_provider_checkout(order, product=line.product, base_url=base_url)
    order.refresh_from_db()
    return order, url


def _absolute(base_url: str, path: str) -> str:
    return (base_url or settings.SITE_URL).rstrip("/") + path


def _open_provider_checkout(order: Order, *, product: Product, base_url: str) -> str:
    """Create the provider's checkout once per order, under the order's row lock.

    A ProviderError marks the order failed and refuses with "provider_unavailable".
    """
    failed = False
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.provider_checkout_url:
            return order.provider_checkout_url
        if order.status != Order.Status.PENDING:
            failed = True
        else:
            success = _absolute(base_url, reverse("checkout:return", args=[order.public_id]))
            request = CheckoutRequest(
                order_ref=str(order.public_id),
                mode="subscription" if product.kind == Product.Kind.SUBSCRIPTION else "payment",
                currency=order.currency,
                lines=(_provider_line(order, product),),
                total_minor=order.total_minor,
                customer_email=order.email,
                success_url=success + "?session_id={CHECKOUT_SESSION_ID}",
                cancel_url=_absolute(
                    base_url, reverse("checkout:cancelled", args=[order.public_id])
                ),
                expires_at=order.expires_at,
                interval=product.interval,
                locale=order.language,
            )
            try:
                session = get_provider(order.provider).create_checkout(request)
            except ProviderError as error:
                logger.warning("checkout %s: provider refused (%s)", order.pk, error)
                order.status = Order.Status.FAILED
                order.save(update_fields=["status"])
                PendingCheckout.objects.filter(order=order).delete()
                failed = True
            else:
                order.provider_session_id = session.session_id
                order.provider_checkout_url = session.url
                order.save(update_fields=["provider_session_id", "provider_checkout_url"])
                return session.url
    if failed:
        raise CommerceError("provider_unavailable")
    raise AssertionError("unreachable")  # pragma: no cover


def _provider_line(order: Order, product: Product) -> CheckoutLine:
    """One line with VAT included; per seat when the total divides evenly, else as a whole."""
    if order.seats > 1 and order.total_minor % order.seats == 0:
        return CheckoutLine(product.title, order.seats, order.total_minor // order.seats)
    title = product.title if order.seats == 1 else f"{order.seats} x {product.title}"
    return CheckoutLine(title, 1, order.total_minor)
