"""Shared set-up for the payment provider and webhook tests: an order waiting at the test provider.

The order is built the way the checkout leaves it (pending, its lines, the provider's session id
on it) without going through the checkout pages, so these tests exercise the provider, the
webhook and the fulfilment they trigger, and nothing of the checkout form.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from contextlib import contextmanager
from decimal import Decimal

from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce import signatures
from coursekeeper.commerce.factories import OrderFactory, OrderLineFactory, ProductFactory
from coursekeeper.commerce.models import Order, Product, SandboxCheckout
from coursekeeper.commerce.providers.base import CheckoutLine, CheckoutRequest
from coursekeeper.commerce.providers.sandbox import SIGNATURE_HEADER, SandboxProvider
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.privacy.models import ProviderSettings


def complete_seller() -> ProviderSettings:
    """Fill in the seller's details an invoice needs."""
    seller = ProviderSettings.load()
    seller.legal_name = "Demo School ApS"
    seller.street_address = "Skolegade 1"
    seller.postal_code = "8000"
    seller.city = "Aarhus C"
    seller.country = "DK"
    seller.vat_number = "DK12345678"
    seller.company_number = "12345678"
    seller.save()
    return seller


def course_product(token: str, *, subscription: bool = False) -> Product:
    course = CourseFactory(title=f"Course {token}", is_published=True)
    if subscription:
        product = ProductFactory(title=f"Club {token}", kind="subscription", interval="month")
    else:
        product = ProductFactory(title=f"Course {token}", kind="course")
    product.courses.add(course)
    return product


def pending_order(
    token: str,
    *,
    product: Product | None = None,
    country: str = "DK",
    subscription: bool = False,
    expires_in: dt.timedelta = dt.timedelta(hours=1),
    base_url: str = "http://testserver",
) -> tuple[Order, SandboxCheckout]:
    """Return a pending order of an existing account and its open test-provider checkout."""
    product = product or course_product(token, subscription=subscription)
    buyer = UserFactory(email=f"buyer-{token}@example.org", full_name=f"Bo {token} Buyer")
    now = timezone.now()
    order = OrderFactory(
        buyer=buyer,
        status=Order.Status.PENDING,
        country=country,
        language="en",
        paid_at=None,
        provider_payment_ref="",
        total_minor=100000,
        vat_minor=20000,
        subtotal_minor=80000,
        vat_rate=Decimal("25.00"),
        expires_at=now + expires_in,
        keep_until=now + dt.timedelta(days=30),
    )
    OrderLineFactory(order=order, product=product, description=product.title)
    session = SandboxProvider().create_checkout(
        CheckoutRequest(
            order_ref=str(order.public_id),
            mode="subscription" if subscription else "payment",
            currency=order.currency,
            lines=(CheckoutLine(product.title, 1, order.total_minor),),
            total_minor=order.total_minor,
            customer_email=order.email,
            success_url=f"{base_url}/checkout/{order.public_id}/return/"
            "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=f"{base_url}/checkout/{order.public_id}/cancelled/",
            expires_at=order.expires_at,
            interval="month" if subscription else "",
            locale="en",
        )
    )
    order.provider_session_id = session.session_id
    order.save(update_fields=["provider_session_id"])
    return order, SandboxCheckout.objects.get(session_id=session.session_id)


def sandbox_event(kind: str, object_ref: str, *, event_id: str = "", timestamp: int | None = None):
    """Return the body and headers of a test-provider webhook signed with the real secret."""
    from coursekeeper.commerce.providers.sandbox import webhook_secret

    body = json.dumps(
        {
            "id": event_id or f"evt_test_{secrets.token_hex(8)}",
            "type": kind,
            "created": int(time.time()),
            "object": object_ref,
        }
    ).encode()
    header = signatures.sign(secret=webhook_secret(), body=body, timestamp=timestamp)
    return body, {SIGNATURE_HEADER: header}


def post_event(client, body: bytes, headers: dict, provider: str = "test"):
    """POST a webhook through the real view, as the provider would."""
    return client.post(
        f"/webhooks/{provider}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


@contextmanager
def provider_not_answering(checkout: SandboxCheckout):
    """Make the test provider unable to answer about `checkout` for a while.

    The provider's record of the session is moved aside, so `retrieve_checkout` raises
    ProviderError as an unreachable Stripe would; it is put back afterwards.
    """
    session_id = checkout.session_id
    SandboxCheckout.objects.filter(pk=checkout.pk).update(session_id=f"{session_id}-away")
    try:
        yield
    finally:
        SandboxCheckout.objects.filter(pk=checkout.pk).update(session_id=session_id)
