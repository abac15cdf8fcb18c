"""Checkout: from the form to the provider's hosted page and back, and the fulfilment (R11-R16).

Design.
- `start_checkout` re-quotes on the server and refuses ("price_changed") when the total the
  buyer saw is not the total now; nothing is created then. The order, its line and (for a
  guest) the pending sign-up with the password already hashed are created in one transaction,
  under the coupon's row lock. The provider's hosted checkout is then created in a second
  transaction that holds the order's row lock, so a double-submitted form (same submission
  key: it becomes the order's public id) waits for the first request and is sent to the same
  payment page instead of opening a second one.
- `fulfil_checkout` asks the provider for the checkout's state first (outside any lock), then
  fulfils in ONE transaction with the order's row locked: paid, account, enrolment, waiver,
  invoice, VAT evidence, gift, subscription, receipt, together or not at all. A second call
  (the return after the webhook, a replayed event) finds the order paid and changes nothing,
  so whichever comes first does the work once.
- `complete_return` is the buyer's return from the provider. It fulfils when the webhook has
  not yet, and signs the buyer in only in the browser that started the checkout (the digest
  of a random token that browser holds is on the order, cleared once used) and only when the
  account was created by this checkout; an existing account is never signed in this way.
- Nothing here trusts what a redirect or a webhook says: the state is always re-fetched.
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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.commerce import invoices, pricing
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import (
    Order,
    OrderLine,
    PendingCheckout,
    Product,
    ShopSettings,
    WithdrawalWaiver,
)
from coursekeeper.commerce.privacy import (
    ABANDONED_ORDER_KEPT_FOR,
    RECORD_WAIVER,
    START_CHECKOUT,
)
from coursekeeper.commerce.providers.base import (
    CheckoutLine,
    CheckoutRequest,
    CheckoutState,
    ProviderError,
    SubscriptionState,
    get_provider,
)
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym, token_digest

logger = logging.getLogger(__name__)

CHECKOUT_VALID_FOR = dt.timedelta(days=1)
# The return page signs the buyer in only this soon after the payment.
SIGN_IN_ON_RETURN_WITHIN = dt.timedelta(days=1)

DIGITAL_CONTENT_KINDS = (Product.Kind.COURSE, Product.Kind.BUNDLE)


# --- The words the buyer agrees to (shown on the form, recorded, confirmed in the receipt) -------


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


# --- Starting a checkout ---------------------------------------------------------------------


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


# --- Fulfilment --------------------------------------------------------------------------------

_OPEN = (Order.Status.PENDING, Order.Status.FAILED, Order.Status.EXPIRED)


def fulfil_checkout(*, provider: str, session_id: str) -> Order | None:
    """Fulfil the order behind a provider checkout once it is paid; return it (None: unknown).

    Safe to call any number of times and in any order with other events: the state is
    re-fetched from the provider, and an order already fulfilled is returned unchanged.
    """
    order = Order.objects.filter(provider=provider, provider_session_id=session_id).first()
    if order is None or not session_id:
        return None
    if order.status not in _OPEN:
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
        if order.status not in _OPEN:
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


# --- The buyer's return -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnOutcome:
    order: Order
    status: str  # the order's status after the return
    sign_in: User | None  # the account to sign this browser into, if any


def complete_return(*, order_public_id, session_id: str, browser_token: str) -> ReturnOutcome:
    """Handle the buyer's return from the provider: fulfil if needed, say whom to sign in.

    Signs in (returns the account) only the browser that started the checkout, only for an
    account this checkout created, only once, and only within a day of the payment. Anyone
    else learns only the order's status.
    """
    try:
        public_id = uuid.UUID(str(order_public_id))
    except ValueError as error:
        raise CommerceError("order_not_found") from error
    order = Order.objects.filter(public_id=public_id).first()
    if order is None or not session_id or session_id != order.provider_session_id:
        raise CommerceError("order_not_found")
    if order.status in _OPEN:
        try:
            fulfil_checkout(provider=order.provider, session_id=session_id)
        except ProviderError:
            logger.warning("checkout %s: provider unreachable on return", order.pk)
        order.refresh_from_db()
    sign_in = None
    if (
        order.status == Order.Status.PAID
        and order.buyer_id is not None
        and order.browser_digest
        and browser_token
        and order.paid_at is not None
        and timezone.now() - order.paid_at <= SIGN_IN_ON_RETURN_WITHIN
        and hmac.compare_digest(order.browser_digest, token_digest(browser_token))
    ):
        # Only one return signs in: clearing the digest is the claim.
        claimed = Order.objects.filter(pk=order.pk, browser_digest=order.browser_digest).update(
            browser_digest=""
        )
        if claimed:
            sign_in = order.buyer
    return ReturnOutcome(order=order, status=order.status, sign_in=sign_in)
