"""R11, R12, R15, R16: the checkout from the form to the test provider's page and back.

Payments go through the real built-in test provider (`SandboxProvider`): its hosted page's
service takes the payment, its events are delivered to the real webhook handler, and the
return page is requested through the real views. In these (non-transactional) tests the
provider's after-commit delivery task does not run, so each test delivers the provider's
events itself with `deliver_pending_sandbox_events`, at the point the scenario needs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import PASSWORD, StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.commerce import checkout, seats
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.factories import CouponFactory, PriceFactory, ProductFactory
from coursekeeper.commerce.gifts import GIFT_REASON
from coursekeeper.commerce.models import (
    GiftShipment,
    Invoice,
    Order,
    PendingCheckout,
    SandboxCheckout,
    SeatInvitation,
    ShopSettings,
    Subscription,
    VatEvidence,
    WithdrawalWaiver,
)
from coursekeeper.commerce.pricing import quote
from coursekeeper.commerce.providers.sandbox import (
    CARD_ACCEPTED,
    CARD_DECLINED,
    deliver_pending_sandbox_events,
    expire_sandbox_checkouts,
    pay_sandbox_checkout,
)
from coursekeeper.commerce.tests.providers_helpers import complete_seller
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.learning.models import Enrollment
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.models import Disclosure
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.recipients import recipients_for
from coursekeeper.privacy.rules import release_date
from coursekeeper.security.services import token_digest

pytestmark = pytest.mark.django_db

GUEST_PASSWORD = "a lantern by the harbour 17"
BROWSER = "browser-token-of-the-buyer"


@pytest.fixture(autouse=True)
def seller():
    return complete_seller()


def course_product(token: str, **fields):
    course = CourseFactory(title=f"Course {token}", is_published=True)
    product = ProductFactory(title=f"Course {token}", kind=fields.pop("kind", "course"), **fields)
    product.courses.add(course)
    PriceFactory(product=product, currency="DKK", amount_minor=80000)
    PriceFactory(product=product, currency="EUR", amount_minor=10900)
    return product, course


def billing(token: str, *, country: str = "DK", email: str = "", **changes):
    values = {
        "full_name": f"Gry {token} Guest",
        "email": email or f"guest-{token}@example.org",
        "street_address": f"Nørregade {token}",
        "postal_code": "1165",
        "city": "København K",
        "country": country,
        "phone": "+45 12345678",
    }
    values.update(changes)
    return checkout.BillingDetails(**values)


def start(product, token: str, *, buyer=None, coupon_code="", seats_count=1, **changes):
    """Start a guest's (or `buyer`'s) checkout the way the form does, at the quoted total."""
    details = changes.pop("billing", None) or billing(token)
    currency = changes.pop("currency", "DKK")
    total = changes.pop(
        "expected_total_minor",
        quote(
            product=product,
            currency=currency,
            seats=seats_count,
            coupon_code=coupon_code,
            buyer_country=details.country,
            vat_number=details.vat_number,
        ).total_minor,
    )
    arguments = {
        "product": product,
        "currency": currency,
        "billing": details,
        "buyer": buyer,
        "guest": None
        if buyer
        else checkout.GuestSignup(password=GUEST_PASSWORD, adult_confirmed=True),
        "coupon_code": coupon_code,
        "seats": seats_count,
        "for_others": False,
        "immediate_start": True,
        "expected_total_minor": total,
        "base_url": "http://testserver/",
        "browser_token": BROWSER,
        "language": "en",
    }
    arguments.update(changes)
    return checkout.start_checkout(**arguments)


def pay(order: Order, card: str = CARD_ACCEPTED, country: str = "DK"):
    return pay_sandbox_checkout(
        session_id=order.provider_session_id, card=card, card_country=country
    )


def receipts_to(email: str) -> int:
    return OutboxMessage.objects.filter(email=email, template="commerce/receipt").count()


# --- Starting ----------------------------------------------------------------------------------


def test_r12_guest_checkout_waits_as_a_pending_sign_up_with_a_hashed_password(token):
    """R12: the guest's sign-up waits, password hashed, a day; the order goes to the provider."""
    product, _course = course_product(token)
    before = timezone.now()
    order, url = start(product, token)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert (order.subtotal_minor, order.vat_minor, order.total_minor) == (80000, 20000, 100000)
    assert order.buyer is None
    assert url == f"http://testserver/pay/test/{order.provider_session_id}/"
    assert order.provider_checkout_url == url
    assert order.expires_at - order.created_at == dt.timedelta(days=1)
    assert order.keep_until - order.created_at == dt.timedelta(days=30)
    assert order.created_at >= before
    line = order.lines.get()
    assert (line.quantity, line.unit_net_minor, line.net_minor, line.vat_minor) == (
        1,
        80000,
        80000,
        20000,
    )
    pending = PendingCheckout.objects.get(order=order)
    assert pending.password_hash != GUEST_PASSWORD
    assert check_password(GUEST_PASSWORD, pending.password_hash)
    assert pending.browser_digest == token_digest(BROWSER)
    assert pending.expires_at - order.created_at == dt.timedelta(days=1)
    sandbox = SandboxCheckout.objects.get(session_id=order.provider_session_id)
    assert (sandbox.amount_minor, sandbox.currency, sandbox.order_ref) == (
        100000,
        "DKK",
        str(order.public_id),
    )
    assert sandbox.success_url == (
        f"http://testserver/checkout/return/{order.public_id}/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert sandbox.cancel_url == f"http://testserver/checkout/cancelled/{order.public_id}/"


def test_r11_tampered_price_creates_nothing(token):
    """R11: a total that is not the server's price refuses with "price_changed"; nothing made."""
    product, _course = course_product(token)
    with pytest.raises(CommerceError) as refusal:
        start(product, token, expected_total_minor=100)
    assert refusal.value.code == "price_changed"
    assert Order.objects.count() == 0
    assert PendingCheckout.objects.count() == 0
    assert SandboxCheckout.objects.count() == 0


def test_r14_no_checkout_while_the_seller_cannot_be_named_on_an_invoice(token, seller):
    """R14: without the seller's VAT number no invoice can be issued, so nothing is sold."""
    product, _course = course_product(token)
    seller.vat_number = ""
    seller.save()
    with pytest.raises(CommerceError) as refusal:
        start(product, token)
    assert refusal.value.code == "shop_not_ready"
    assert Order.objects.count() == 0
    assert SandboxCheckout.objects.count() == 0


def test_r15_recorded_course_needs_the_express_request_for_immediate_access(token):
    """R15: digital content is sold only with the express request and acknowledgement."""
    product, _course = course_product(token)
    with pytest.raises(CommerceError) as refusal:
        start(product, token, immediate_start=False)
    assert refusal.value.code == "immediate_access_required"
    assert Order.objects.count() == 0


def test_r11_last_coupon_use_cannot_be_taken_twice(token):
    """R11: an open checkout holds the coupon's last use; the next buyer is refused."""
    product, _course = course_product(token)
    CouponFactory(code="LASTONE", percent_off=50, max_uses=1)
    first, _url = start(product, token, coupon_code="LASTONE")
    assert (first.discount_minor, first.total_minor) == (40000, 50000)
    with pytest.raises(CommerceError) as refusal:
        start(product, token, coupon_code="LASTONE", expected_total_minor=50000)
    assert refusal.value.code == "coupon_used_up"
    assert Order.objects.count() == 1


def test_r12_double_submit_opens_one_order_and_one_payment(token):
    """R12: the same form sent twice gives one order and the same payment page."""
    product, _course = course_product(token)
    key = str(uuid.uuid4())
    first, first_url = start(product, token, submission_key=key)
    second, second_url = start(product, token, submission_key=key)
    assert (second.pk, second_url) == (first.pk, first_url)
    assert Order.objects.count() == 1
    assert SandboxCheckout.objects.count() == 1
    with pytest.raises(CommerceError) as refusal:
        start(product, token, submission_key=key, browser_token="another browser")
    assert refusal.value.code == "checkout_taken"


# --- Paying and returning --------------------------------------------------------------------


def test_r12_guest_account_made_once_whether_return_or_webhook_comes_first(token):
    """R12: return first, then the webhook (and again): one account, enrolment, invoice, receipt.

    The account has the password the guest chose and an unverified address; the browser that
    started the checkout is signed in, once.
    """
    product, course = course_product(token)
    order, _url = start(product, token)
    assert pay(order).paid

    outcome = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    person = User.objects.get(email=f"guest-{token}@example.org")
    assert outcome.status == Order.Status.PAID
    assert outcome.sign_in == person
    assert deliver_pending_sandbox_events() == 1
    assert checkout.fulfil_checkout(provider="test", session_id=order.provider_session_id)
    again = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    assert again.sign_in is None  # the digest was used once

    assert User.objects.filter(email=person.email).count() == 1
    assert Enrollment.objects.filter(learner=person, course=course).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert receipts_to(person.email) == 1
    assert PendingCheckout.objects.count() == 0
    order.refresh_from_db()
    assert (order.buyer, order.status) == (person, Order.Status.PAID)
    assert person.full_name == f"Gry {token} Guest"
    assert person.check_password(GUEST_PASSWORD)
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    assert authenticate(request, email=person.email, password=GUEST_PASSWORD) == person
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.primary, address.verified) == (person.email, True, False)


def test_r20_a_sale_goes_with_the_customer_relationship_one_without_an_account_after_it(token):
    """R20: a sale to an account has no day of its own: it goes with the account once the
    relationship has long ended. A payment whose sign-up lapsed has no account: that
    relationship ended with the purchase, and the sale goes the rule pack's period after it."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    pay(order)
    assert deliver_pending_sandbox_events() == 1
    lapsed, _url = start(product, token, billing=billing(token, email=f"late-{token}@example.org"))
    PendingCheckout.objects.filter(order=lapsed).delete()
    pay(lapsed)
    assert deliver_pending_sandbox_events() == 1

    order.refresh_from_db()
    lapsed.refresh_from_db()
    assert (order.status, order.buyer is not None, order.keep_until) == ("paid", True, None)
    assert (lapsed.status, lapsed.buyer, lapsed.keep_until) == (
        "paid",
        None,
        release_date(country="DK", rule="customer_relationship", event_at=lapsed.paid_at),
    )


def test_r12_webhook_first_then_the_return_signs_in_only_the_starting_browser(token):
    """R12: after the webhook fulfilled, the return still signs in the browser that started it,
    and no other browser."""
    product, course = course_product(token)
    order, _url = start(product, token)
    pay(order)
    assert deliver_pending_sandbox_events() == 1
    person = User.objects.get(email=f"guest-{token}@example.org")
    assert Enrollment.objects.filter(learner=person, course=course).count() == 1

    stranger = checkout.complete_return(
        order_public_id=order.public_id,
        session_id=order.provider_session_id,
        browser_token="someone else's browser",
    )
    assert (stranger.status, stranger.sign_in) == (Order.Status.PAID, None)
    starter = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    assert starter.sign_in == person
    with pytest.raises(CommerceError) as refusal:
        checkout.complete_return(
            order_public_id=order.public_id, session_id="cs_test_wrong", browser_token=BROWSER
        )
    assert refusal.value.code == "order_not_found"


def test_r12_existing_email_gets_the_order_but_keeps_its_password_and_is_not_signed_in(token):
    """R12: a guest checkout with an existing account's email joins that account, untouched."""
    product, course = course_product(token)
    existing = UserFactory(email=f"known-{token}@example.org")
    order, _url = start(product, token, billing=billing(token, email=existing.email.upper()))
    pay(order)
    outcome = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    existing.refresh_from_db()
    assert (outcome.status, outcome.sign_in) == (Order.Status.PAID, None)
    assert outcome.order.buyer == existing
    assert existing.check_password(PASSWORD)
    assert not existing.check_password(GUEST_PASSWORD)
    assert User.objects.filter(email=existing.email).count() == 1
    assert Enrollment.objects.filter(learner=existing, course=course).count() == 1
    assert PendingCheckout.objects.count() == 0


def test_r12_abandoned_checkout_enrols_no_one_and_drops_the_sign_up(token):
    """R12: a checkout the provider expires leaves no account, no enrolment, no sign-up."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    assert expire_sandbox_checkouts(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert deliver_pending_sandbox_events() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert User.objects.filter(email=order.email).count() == 0
    assert Enrollment.objects.count() == 0
    assert PendingCheckout.objects.count() == 0
    assert Invoice.objects.count() == 0
    # A late return changes nothing.
    outcome = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    assert (outcome.status, outcome.sign_in) == (Order.Status.EXPIRED, None)


def test_r12_declined_payment_enrols_no_one(token):
    """R12: a declined card leaves the order waiting: no account, no enrolment, no invoice."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    assert not pay(order, card=CARD_DECLINED).paid
    outcome = checkout.complete_return(
        order_public_id=order.public_id, session_id=order.provider_session_id, browser_token=BROWSER
    )
    assert (outcome.status, outcome.sign_in) == (Order.Status.PENDING, None)
    assert checkout.fail_checkout(provider="test", session_id=order.provider_session_id) == order
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # the provider still has it open
    assert User.objects.filter(email=order.email).count() == 0
    assert Enrollment.objects.count() == 0
    assert Invoice.objects.count() == 0


def test_r12_paid_amount_that_differs_from_the_order_is_not_fulfilled(token):
    """R12: when the provider's amount is not the order's, nothing is granted; staff look."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    SandboxCheckout.objects.filter(session_id=order.provider_session_id).update(amount_minor=100)
    pay(order)
    assert checkout.fulfil_checkout(provider="test", session_id=order.provider_session_id) == order
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert Enrollment.objects.count() == 0
    assert Invoice.objects.count() == 0


def test_r12_fail_checkout_never_touches_a_paid_order(token):
    """R12: an expiry event after the payment leaves the paid order as it is."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    pay(order)
    deliver_pending_sandbox_events()
    assert checkout.fail_checkout(provider="test", session_id=order.provider_session_id) == order
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert checkout.fulfil_checkout(provider="test", session_id="cs_test_unknown") is None
    assert checkout.fail_checkout(provider="test", session_id="cs_test_unknown") is None


@pytest.mark.parametrize("keep", [False, True])
def test_r12_card_details_kept_only_when_the_settings_say_so(token, keep):
    """R12: the card's last 4 digits and expiry are kept only with keep_card_details."""
    shop = ShopSettings.current()
    shop.keep_card_details = keep
    shop.save()
    product, _course = course_product(token)
    buyer = UserFactory()
    order, _url = start(product, token, buyer=buyer)
    pay(order)
    deliver_pending_sandbox_events()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.provider_payment_ref.startswith("pi_test_")
    expected = ("4242", 12, timezone.now().year + 3) if keep else ("", None, None)
    assert (order.card_last4, order.card_exp_month, order.card_exp_year) == expected


def test_r15_r11_waiver_vat_evidence_and_receipt_of_a_german_consumer(token):
    """R15: the waiver's exact wording is recorded and confirmed in the receipt (durable
    medium); R11: German VAT with the location evidence; R14: the invoice is linked."""
    # The shop opted for the buyer's country's VAT from the first euro (Art. 59c(3)).
    ShopSettings.objects.filter(pk=ShopSettings.current().pk).update(
        destination_vat_chosen_at=timezone.now()
    )
    product, _course = course_product(token)
    buyer = UserFactory(language="en")
    order, _url = start(
        product, token, buyer=buyer, currency="EUR", billing=billing(token, country="DE")
    )
    pay(order, country="DE")
    deliver_pending_sandbox_events()
    order.refresh_from_db()
    assert (order.vat_scheme, order.vat_country, order.total_minor) == ("oss", "DE", 12971)

    waiver = WithdrawalWaiver.objects.get(order=order)
    wording = (
        "I ask for access to the course content to start at once, before the 14-day withdrawal "
        "period ends. I know that I lose my right of withdrawal once access to the content has "
        "started."
    )
    assert (waiver.kind, waiver.wording, waiver.buyer, waiver.language) == (
        WithdrawalWaiver.Kind.DIGITAL_CONTENT,
        wording,
        buyer,
        "en",
    )
    assert waiver.given_at == order.immediate_start_requested_at
    assert waiver.proof_release_at == release_date(
        country="DK", rule="limitation", event_at=order.paid_at
    )
    assert waiver.proof_release_at == order.paid_at.replace(year=order.paid_at.year + 3)
    evidence = VatEvidence.objects.get(order=order)
    assert (evidence.billing_country, evidence.card_country, evidence.consistent) == (
        "DE",
        "DE",
        True,
    )
    invoice = Invoice.objects.get(order=order)
    receipt = OutboxMessage.objects.get(email=buyer.email, template="commerce/receipt")
    assert receipt.subject == f"Your receipt, invoice {invoice.number}"
    assert f"http://127.0.0.1:8000/me/invoices/{invoice.number}/" in receipt.body_text
    assert f'"{wording}"' in receipt.body_text
    assert "EUR 129.71" in receipt.body_text
    assert "VAT (19 %): EUR 20.71" in receipt.body_text


def test_r15_early_start_of_a_service_is_optional_and_recorded(token):
    """R15: an event ticket may start within the 14 days if asked; that request is recorded."""
    product, _course = course_product(token, kind="event")
    buyer = UserFactory()
    order, _url = start(product, token, buyer=buyer, immediate_start=False)
    pay(order)
    deliver_pending_sandbox_events()
    assert WithdrawalWaiver.objects.filter(order=order).count() == 0
    other, _url = start(product, token, buyer=buyer, immediate_start=True)
    pay(other)
    deliver_pending_sandbox_events()
    waiver = WithdrawalWaiver.objects.get(order=other)
    assert waiver.kind == WithdrawalWaiver.Kind.SERVICE
    assert waiver.wording == checkout.early_start_wording()


def test_r13_subscription_product_starts_a_subscription_with_access_until_period_end(token):
    """R11/R13: buying a subscription records it and gives access until the paid period ends."""
    product, course = course_product(token, kind="subscription", interval="month")
    buyer = UserFactory()
    order, _url = start(product, token, buyer=buyer)
    pay(order)
    deliver_pending_sandbox_events()
    subscription = Subscription.objects.get(order=order)
    assert (subscription.user, subscription.status) == (buyer, Subscription.Status.ACTIVE)
    enrolment = Enrollment.objects.get(learner=buyer, course=course)
    assert enrolment.access_until == subscription.current_period_end


# --- Gifts and seats ---------------------------------------------------------------------------


def test_r16_gift_address_goes_to_the_supplier_and_shows_as_a_disclosure(token):
    """R16: a gift's address is recorded, sent to the supplier, and listed as a disclosure."""
    supplier = RecipientFactory(name=f"Gift Supplier {token}", categories=[])
    product, _course = course_product(
        token,
        gift_description="A printed handbook",
        gift_supplier=supplier,
        gift_supplier_email=f"gifts-{token}@supplier.example.org",
    )
    order, _url = start(product, token)
    pay(order)
    deliver_pending_sandbox_events()
    order.refresh_from_db()
    person = order.buyer

    shipment = GiftShipment.objects.get(order=order)
    assert (shipment.name, shipment.street_address, shipment.supplier) == (
        f"Gry {token} Guest",
        f"Nørregade {token}",
        supplier,
    )
    assert shipment.sent_at is not None
    disclosure = Disclosure.objects.get(user=person)
    assert (disclosure.recipient, disclosure.categories, disclosure.reason) == (
        supplier,
        ["identity", "contact"],
        GIFT_REASON,
    )
    lines = [line for line in recipients_for(Person.for_user(person)) if line.reason == GIFT_REASON]
    assert [(line.name, line.categories) for line in lines] == [
        (supplier.name, ("Identity", "Contact details"))
    ]
    mail = OutboxMessage.objects.get(email=f"gifts-{token}@supplier.example.org")
    assert f"Nørregade {token}" in mail.body_text
    assert mail.forget_after_sending is True


def test_r12_employer_buys_seats_invites_and_the_learner_is_enrolled(token):
    """R12: the buyer of places for staff is not enrolled; invitees are, up to N places."""
    product, course = course_product(token)
    employer = UserFactory()
    order, _url = start(product, token, buyer=employer, seats_count=2, for_others=True)
    assert order.total_minor == 200000
    pay(order)
    deliver_pending_sandbox_events()
    order.refresh_from_db()
    assert Enrollment.objects.filter(course=course).count() == 0

    first = seats.invite_to_seat(
        order=order, email=f"Ann-{token}@example.org", acting_user=employer, base_url="http://x/"
    )
    seats.invite_to_seat(
        order=order, email=f"bo-{token}@example.org", acting_user=employer, base_url="http://x/"
    )
    for email, acting, code in (
        (f"cy-{token}@example.org", employer, "seats_used_up"),
        (f"ann-{token}@example.org", employer, "seat_already_invited"),
        (f"dy-{token}@example.org", UserFactory(), "not_your_order"),
    ):
        with pytest.raises(CommerceError) as refusal:
            seats.invite_to_seat(order=order, email=email, acting_user=acting, base_url="http://x/")
        assert refusal.value.code == code
    assert SeatInvitation.objects.filter(order=order).count() == 2
    mail = OutboxMessage.objects.get(email=f"ann-{token}@example.org")
    link = next(word for word in mail.body_text.split() if word.startswith("http://x/"))
    raw_token = link.rstrip("/").rsplit("/", 1)[1]
    assert first.token_digest == token_digest(raw_token)

    learner = UserFactory()
    seats.accept_seat(token=raw_token, acting_user=learner)
    seats.accept_seat(token=raw_token, acting_user=learner)  # again: nothing more
    assert Enrollment.objects.filter(learner=learner, course=course).count() == 1
    with pytest.raises(CommerceError):
        seats.accept_seat(token=raw_token, acting_user=UserFactory())
    overview = seats.seat_overview(order=order, acting_user=employer)
    assert [(line.email, line.accepted) for line in overview.lines] == [
        (f"ann-{token}@example.org", True),
        (f"bo-{token}@example.org", False),
    ]


# --- Pages -------------------------------------------------------------------------------------


def form_data(token: str, page_content: str, **changes) -> dict:
    key = re.search(r'name="submission_key" value="([^"]+)"', page_content)
    total = re.search(r'name="shown_total" value="(\d+)"', page_content)
    assert key is not None and total is not None
    data = {
        "submission_key": key.group(1),
        "shown_total": total.group(1),
        "currency": "DKK",
        "full_name": f"Pia {token} Page",
        "email": f"page-{token}@example.org",
        "street_address": f"Algade {token}",
        "postal_code": "4000",
        "city": "Roskilde",
        "country": "DK",
        "seats": "1",
        "password": GUEST_PASSWORD,
        "adult_confirmed": "on",
        "time_zone": "Europe/Copenhagen",
        "immediate_access": "on",
        "waiver_acknowledged": "on",
        "action": "buy",
    }
    data.update(changes)
    return data


def priced_form(client, url: str, token: str, **changes) -> dict:
    """Open the form, choose currency and country, "Update the price", and fill it in."""
    first = client.get(url).content.decode()
    quoted = client.post(url, form_data(token, first, action="quote", **changes))
    assert quoted.status_code == 200
    return form_data(token, quoted.content.decode(), **changes)


def test_r12_checkout_page_has_no_card_field_and_a_double_submit_makes_one_order(token):
    """R12: no card field; the form goes to the provider's page; sent twice, one order."""
    product, _course = course_product(token)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("checkout:start", args=[product.slug])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        "card" not in " ".join(part.split('"')[0] for part in content.split('name="')[1:]).lower()
    )
    data = priced_form(client, url, token)
    first = client.post(url, data)
    second = client.post(url, data)
    order = Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == order.provider_checkout_url


def test_r12_whole_journey_through_the_pages_signs_the_buyer_in_and_enrols(token):
    """R12: form, provider page, return: the buyer lands signed in and enrolled."""
    product, course = course_product(token)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("checkout:start", args=[product.slug])
    response = client.post(url, priced_form(client, url, token))
    order = Order.objects.get()
    paid = client.post(
        response["Location"],
        {"simulate": CARD_ACCEPTED, "issuer_country": "DK", "outcome": "pay"},
    )
    assert paid.status_code == 303
    back = client.get(paid["Location"])
    assert back.status_code == 200
    person = User.objects.get(email=f"page-{token}@example.org")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert Enrollment.objects.filter(learner=person, course=course).count() == 1
    assert "Thank you for your purchase" in back.content.decode()
    assert deliver_pending_sandbox_events() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert receipts_to(person.email) == 1
    # Another browser with the same return link is not signed in.
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = stranger.get(paid["Location"])
    assert "_auth_user_id" not in stranger.session
    assert "Sign in to start" in page.content.decode()


def test_r11_apply_coupon_rerenders_the_price_and_a_changed_price_is_refused(token):
    """R11: "Apply" shows the discounted price without buying; a stale total is refused."""
    product, _course = course_product(token)
    CouponFactory(code="TENOFF", percent_off=10)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("checkout:start", args=[product.slug])
    quoted = client.post(url, form_data(token, client.get(url).content.decode(), action="quote"))
    content = quoted.content.decode()
    assert 'name="shown_total" value="100000"' in content
    applied = client.post(url, form_data(token, content, coupon_code="tenoff", action="quote"))
    assert applied.status_code == 200
    assert 'name="shown_total" value="90000"' in applied.content.decode()
    assert Order.objects.count() == 0
    stale = client.post(url, form_data(token, content, coupon_code="tenoff"))  # saw 100000
    assert stale.status_code == 409
    assert "The price changed" in stale.content.decode()
    assert Order.objects.count() == 0
    bought = client.post(url, form_data(token, applied.content.decode(), coupon_code="tenoff"))
    assert bought.status_code == 302
    assert Order.objects.get().total_minor == 90000


def test_r15_form_without_the_waiver_ticks_is_refused(token):
    """R15: the form refuses a recorded course without both ticks; nothing is created."""
    product, _course = course_product(token)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("checkout:start", args=[product.slug])
    data = priced_form(client, url, token)
    del data["waiver_acknowledged"]
    response = client.post(url, data)
    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_r11_course_for_sale_shows_buy_and_refuses_the_free_enrolment(token):
    """R11: a course sold by a product shows its price and "Buy"; the free enrol is refused."""
    product, course = course_product(token)
    learner = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(learner)
    page = client.get(reverse("learning:course", args=[course.slug]))
    content = page.content.decode()
    assert reverse("checkout:start", args=[product.slug]) in content
    assert "DKK 1,000.00" in content
    assert "Enrol for free" not in content
    refused = client.post(reverse("learning:enroll", args=[course.slug]))
    assert refused.status_code == 403
    assert Enrollment.objects.count() == 0


def test_seed_shop_is_idempotent():
    """R11: the demo shop's products, prices and coupon are created once."""
    from django.core.management import call_command

    from coursekeeper.commerce.models import Coupon, Price, Product

    call_command("seed_shop", stdout=io.StringIO())
    counts = (Product.objects.count(), Price.objects.count(), Coupon.objects.count())
    call_command("seed_shop", stdout=io.StringIO())
    assert (Product.objects.count(), Price.objects.count(), Coupon.objects.count()) == counts
    assert Coupon.objects.get(code="WELCOME10").max_uses == 100


def test_r12_seats_page_shows_only_addresses_and_whether_taken(token):
    """R12: the buyer invites from their order page; others cannot see it; the link enrols."""
    product, course = course_product(token)
    employer = UserFactory()
    order, _url = start(product, token, buyer=employer, seats_count=1, for_others=True)
    pay(order)
    deliver_pending_sandbox_events()
    url = reverse("checkout:seats", args=[order.public_id])

    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(UserFactory())
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"email": f"x-{token}@example.org"}).status_code == 404
    assert SeatInvitation.objects.count() == 0

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(employer)
    assert client.post(url, {"email": f"staff-{token}@example.org"}).status_code == 302
    assert client.post(url, {"email": f"more-{token}@example.org"}).status_code == 400
    page = client.get(url).content.decode()
    assert f"staff-{token}@example.org" in page
    assert "Not yet" in page
    assert f"more-{token}@example.org" not in page

    mail = OutboxMessage.objects.get(email=f"staff-{token}@example.org")
    link = next(word for word in mail.body_text.split() if "/checkout/seat/" in word)
    path = link.removeprefix("http://testserver")
    learner = UserFactory()
    invited = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert invited.post(path).status_code == 302  # to the sign-in page first
    assert Enrollment.objects.filter(course=course).count() == 0
    invited.force_login(learner)
    assert "Take the place" in invited.get(path).content.decode()
    assert invited.post(path).status_code == 302
    assert Enrollment.objects.filter(learner=learner, course=course).count() == 1
    assert "Yes" in client.get(url).content.decode()
    assert Client().get("/checkout/seat/not-a-real-token/").status_code == 400


def test_r12_cancelled_and_unknown_return_pages_change_nothing(token):
    """R12: leaving the provider's page charges nothing; an unknown order is a 404, not a 500."""
    product, _course = course_product(token)
    order, _url = start(product, token)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    cancelled = client.get(reverse("checkout:cancelled", args=[order.public_id]))
    assert cancelled.status_code == 200
    assert "Nothing was charged" in cancelled.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    unknown = client.get(reverse("checkout:return", args=[uuid.uuid4()]) + "?session_id=cs_x")
    assert unknown.status_code == 404
    wrong_session = client.get(
        reverse("checkout:return", args=[order.public_id]) + "?session_id=cs_test_forged"
    )
    assert wrong_session.status_code == 404
    waiting = client.get(
        reverse("checkout:return", args=[order.public_id])
        + f"?session_id={order.provider_session_id}"
    )
    assert waiting.status_code == 200
    assert "Waiting for the payment" in waiting.content.decode()
    assert client.get(reverse("checkout:start", args=["no-such-product"])).status_code == 404


def test_r4_the_demo_school_keeps_its_free_course_free():
    """The demo shows free enrolment next to buying: no product, not even the bundle or the
    subscription, sells the last demo course."""
    from django.core.management import call_command

    from coursekeeper.accounts.choices import Role
    from coursekeeper.commerce.selectors import course_is_for_sale
    from coursekeeper.learning.management.commands.seed_courses import COURSES, INSTRUCTOR_EMAIL
    from coursekeeper.learning.models import Course

    StaffFactory(email=INSTRUCTOR_EMAIL, role=Role.INSTRUCTOR)
    call_command("seed_courses", stdout=io.StringIO())
    call_command("seed_shop", stdout=io.StringIO())

    slugs = [spec["slug"] for spec in COURSES]
    courses = Course.objects.filter(slug__in=slugs).order_by("pk")
    assert [course_is_for_sale(course) for course in courses] == [True, True, False]
