"""Test factories for the shop; every buyer carries a random token in their name and address."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce.models import (
    Coupon,
    GiftShipment,
    Invoice,
    Order,
    OrderLine,
    PendingCheckout,
    Price,
    Product,
    Refund,
    SandboxCheckout,
    SeatInvitation,
    Subscription,
    VatEvidence,
    VatScheme,
    WithdrawalWaiver,
)
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.paths import Rehearsal


def _token() -> str:
    return secrets.token_hex(5)


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}-{secrets.token_hex(3)}")
    title = factory.Sequence(lambda n: f"Product {n}")
    kind = Product.Kind.COURSE
    event_attendance = factory.LazyAttribute(
        lambda o: Product.Attendance.ONLINE if o.kind == Product.Kind.EVENT else ""
    )


class PriceFactory(factory.django.DjangoModelFactory[Price]):
    class Meta:
        model = Price

    product = factory.SubFactory(ProductFactory)
    currency = "DKK"
    amount_minor = 80000


class CouponFactory(factory.django.DjangoModelFactory[Coupon]):
    class Meta:
        model = Coupon

    code = factory.LazyFunction(lambda: f"SAVE{secrets.token_hex(3).upper()}")
    percent_off = 20


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    """A paid order of one course for 800.00 DKK plus 25 % Danish VAT."""

    class Meta:
        model = Order

    class Params:
        token = factory.LazyFunction(_token)

    buyer = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(
        lambda o: o.buyer.email if o.buyer else f"buyer-{o.token}@example.org"
    )
    full_name = factory.LazyAttribute(lambda o: f"Bea {o.token} Buyer")
    street_address = factory.LazyAttribute(lambda o: f"Købmagergade {o.token}")
    postal_code = "1150"
    city = "København K"
    country = "DK"
    phone = factory.LazyAttribute(lambda o: f"+45 {int(o.token, 16) % 10**8:08d}")
    language = "da"
    status = Order.Status.PAID
    currency = "DKK"
    subtotal_minor = 80000
    vat_minor = 20000
    total_minor = 100000
    vat_rate = Decimal("25.00")
    vat_country = "DK"
    vat_scheme = VatScheme.DOMESTIC
    provider = "test"
    provider_payment_ref = factory.LazyAttribute(lambda o: f"pay_{o.token}")
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(days=1))
    paid_at = factory.LazyAttribute(lambda o: o.created_at)
    # A sale to an account goes with the account (R20); one without, 5 years after the sale.
    keep_until = factory.LazyAttribute(
        lambda o: None if o.buyer else o.created_at + dt.timedelta(days=5 * 366)
    )


class OrderLineFactory(factory.django.DjangoModelFactory[OrderLine]):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    description = factory.LazyAttribute(lambda o: o.product.title)
    unit_net_minor = 80000
    net_minor = 80000
    vat_minor = 20000


class PendingCheckoutFactory(factory.django.DjangoModelFactory[PendingCheckout]):
    class Meta:
        model = PendingCheckout

    class Params:
        token = factory.LazyFunction(_token)

    order = factory.SubFactory(
        OrderFactory, buyer=None, email=factory.SelfAttribute("..email"), status="pending"
    )
    email = factory.LazyAttribute(lambda o: f"guest-{o.token}@example.org")
    full_name = factory.LazyAttribute(lambda o: f"Gus {o.token} Guest")
    password_hash = factory.LazyFunction(lambda: make_password(secrets.token_urlsafe(12)))
    language = "en"
    adult_confirmed_at = factory.LazyFunction(timezone.now)
    browser_digest = factory.LazyFunction(lambda: secrets.token_hex(32))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))


class WithdrawalWaiverFactory(factory.django.DjangoModelFactory[WithdrawalWaiver]):
    class Meta:
        model = WithdrawalWaiver

    buyer = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.buyer.email if o.buyer else "waiver@example.org")
    order = factory.SubFactory(OrderFactory, buyer=factory.SelfAttribute("..buyer"))
    kind = WithdrawalWaiver.Kind.DIGITAL_CONTENT
    wording = "I ask for access at once and know that I lose my right of withdrawal."
    language = "en"
    proof_release_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3 * 366))


class InvoiceFactory(factory.django.DjangoModelFactory[Invoice]):
    class Meta:
        model = Invoice

    class Params:
        token = factory.LazyFunction(_token)

    buyer = factory.SubFactory(UserFactory)
    year = factory.LazyFunction(lambda: timezone.now().year)
    sequence = factory.Sequence(lambda n: 900000 + n)
    number = factory.LazyAttribute(lambda o: f"{o.year}-{o.sequence:06d}")
    language = "en"
    seller_name = "Demo School ApS"
    seller_address = "Skolegade 1\n8000 Aarhus C"
    seller_country = "DK"
    seller_vat_number = "DK12345678"
    buyer_name = factory.LazyAttribute(lambda o: f"Ivy {o.token} Invoiced")
    buyer_email = factory.LazyAttribute(
        lambda o: o.buyer.email if o.buyer else f"invoiced-{o.token}@example.org"
    )
    buyer_address = factory.LazyAttribute(lambda o: f"Fakturavej {o.token}\n5000 Odense C")
    buyer_country = "DK"
    currency = "DKK"
    net_minor = 80000
    vat_minor = 20000
    total_minor = 100000
    vat_rate = Decimal("25.00")
    vat_country = "DK"
    vat_scheme = VatScheme.DOMESTIC
    hold_country = "DK"
    release_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=6 * 366))


class VatEvidenceFactory(factory.django.DjangoModelFactory[VatEvidence]):
    class Meta:
        model = VatEvidence

    buyer = factory.SubFactory(UserFactory)
    billing_country = "DE"
    card_country = "DE"
    charged_country = "DE"
    release_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=11 * 366))


class RefundFactory(factory.django.DjangoModelFactory[Refund]):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    amount_minor = 100000
    reason = Refund.Reason.WITHDRAWAL
    status = Refund.Status.SUCCEEDED


class SubscriptionFactory(factory.django.DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory, kind="subscription", interval="month")
    provider = "test"
    provider_ref = factory.LazyFunction(lambda: f"sub_{secrets.token_hex(8)}")
    current_period_end = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SeatInvitationFactory(factory.django.DjangoModelFactory[SeatInvitation]):
    class Meta:
        model = SeatInvitation

    class Params:
        token = factory.LazyFunction(_token)

    order = factory.SubFactory(OrderFactory, for_others=True, seats=5)
    learner = None
    email = factory.LazyAttribute(
        lambda o: o.learner.email if o.learner else f"seat-{o.token}@example.org"
    )
    token_digest = factory.LazyFunction(lambda: secrets.token_hex(32))


class GiftShipmentFactory(factory.django.DjangoModelFactory[GiftShipment]):
    class Meta:
        model = GiftShipment

    class Params:
        token = factory.LazyFunction(_token)

    order = factory.SubFactory(OrderFactory)
    supplier = factory.SubFactory(RecipientFactory)
    name = factory.LazyAttribute(lambda o: o.order.full_name)
    street_address = factory.LazyAttribute(lambda o: f"Gavevej {o.token}")
    postal_code = "8000"
    city = "Aarhus C"
    country = "DK"


class SandboxCheckoutFactory(factory.django.DjangoModelFactory[SandboxCheckout]):
    class Meta:
        model = SandboxCheckout

    session_id = factory.LazyFunction(lambda: f"cs_test_{secrets.token_hex(12)}")
    mode = "payment"
    order_ref = factory.LazyFunction(lambda: secrets.token_hex(16))
    amount_minor = 100000
    currency = "DKK"
    description = "A course"
    customer_email = factory.LazyFunction(lambda: f"sandbox-{_token()}@example.org")
    success_url = "http://testserver/checkout/return/"
    cancel_url = "http://testserver/checkout/cancelled/"
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))


# --- Rehearsals: each of the shop's processing paths, ready to run for one person -------------


def _seller_ready() -> None:
    """Fill in the seller's details an invoice needs, so the shop may sell."""
    from coursekeeper.privacy.models import ProviderSettings

    seller = ProviderSettings.load()
    seller.legal_name = "Demo School ApS"
    seller.street_address = "Skolegade 1"
    seller.postal_code = "8000"
    seller.city = "Aarhus C"
    seller.country = "DK"
    seller.vat_number = "DK12345678"
    seller.company_number = "12345678"
    seller.save()


def _paid_order(buyer, *, product: Product | None = None, **fields) -> Order:
    order = OrderFactory(buyer=buyer, **fields)
    OrderLineFactory(order=order, product=product or ProductFactory())
    return order


def rehearse_start_checkout(user, path) -> Rehearsal:
    from coursekeeper.commerce.checkout.start import BillingDetails, start_checkout
    from coursekeeper.commerce.pricing import quote
    from coursekeeper.learning.factories import CourseFactory

    _seller_ready()
    product = ProductFactory()
    product.courses.add(CourseFactory())
    PriceFactory(product=product, currency="DKK", amount_minor=80000)
    billing = BillingDetails(
        full_name=user.full_name,
        email=user.email,
        street_address="Skolegade 2",
        postal_code="8000",
        city="Aarhus C",
        country="DK",
    )
    total = quote(product=product, currency="DKK", seats=1, buyer_country="DK").total_minor
    return Rehearsal(
        run=lambda: start_checkout(
            product=product,
            currency="DKK",
            billing=billing,
            buyer=user,
            guest=None,
            immediate_start=True,
            expected_total_minor=total,
            base_url="http://testserver/",
            browser_token=secrets.token_hex(8),
        ),
        happened=lambda: Order.objects.filter(buyer=user).exists(),
    )


def rehearse_issue_invoice(user, path) -> Rehearsal:
    from django.db import transaction

    from coursekeeper.commerce.invoices import issue_invoice

    _seller_ready()
    order = _paid_order(user)

    def run():
        with transaction.atomic():
            return issue_invoice(order=order)

    return Rehearsal(run=run, happened=lambda: Invoice.objects.filter(order=order).exists())


def rehearse_record_waiver(user, path) -> Rehearsal:
    from coursekeeper.commerce.checkout.waiver import record_waiver

    now = timezone.now()
    product = ProductFactory()
    order = _paid_order(user, immediate_start_requested_at=now)
    return Rehearsal(
        run=lambda: record_waiver(order, product, now),
        happened=lambda: WithdrawalWaiver.objects.filter(order=order).exists(),
    )


def rehearse_ship_gift(user, path) -> Rehearsal:
    from coursekeeper.commerce.gifts import record_gift_shipment

    supplier = RecipientFactory()
    product = ProductFactory(
        gift_description="A mug",
        gift_supplier=supplier,
        gift_supplier_email=f"gifts-{_token()}@example.org",
    )
    order = _paid_order(user, product=product)
    return Rehearsal(
        run=lambda: record_gift_shipment(order=order),
        happened=lambda: GiftShipment.objects.filter(order=order).exists(),
    )


def rehearse_invite_to_seat(user, path) -> Rehearsal:
    from coursekeeper.commerce.seats import invite_to_seat

    buyer = UserFactory()
    order = _paid_order(buyer, for_others=True, seats=3)
    return Rehearsal(
        run=lambda: invite_to_seat(
            order=order, email=user.email, acting_user=buyer, base_url="http://testserver"
        ),
        happened=lambda: SeatInvitation.objects.filter(email=user.email).exists(),
    )
