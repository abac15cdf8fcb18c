"""The Stripe provider against a local fake Stripe API (R11, R12).

A small `http.server` in a thread plays Stripe: it records every request the official `stripe`
library sends (method, path, form or query parameters, headers) and answers with canned Stripe
JSON objects. `STRIPE_API_BASE` points the client at it, so nothing leaves the machine and the
real client code, encoding and error handling run.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce import signatures
from coursekeeper.commerce.factories import OrderFactory, SubscriptionFactory
from coursekeeper.commerce.models import Invoice, Order, Subscription, WebhookEvent
from coursekeeper.commerce.providers.base import (
    CheckoutLine,
    CheckoutRequest,
    ProviderError,
    WebhookRejected,
)
from coursekeeper.commerce.providers.stripe import StripeProvider
from coursekeeper.commerce.tests.providers_helpers import complete_seller, course_product
from coursekeeper.privacy import jobs

WEBHOOK_SECRET = "whsec_test_" + "k" * 24


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStripe:
    """What the fake API received, and what it answers: (method, path) -> (status, JSON)."""

    base: str = ""
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)
    delay_seconds: float = 0.0

    def answer(self, method: str, path: str, body: dict, status: int = 200) -> None:
        self.answers[(method, path)] = (status, body)

    def only(self, method: str, path: str) -> Recorded:
        matching = [r for r in self.requests if (r.method, r.path) == (method, path)]
        assert len(matching) == 1, self.requests
        return matching[0]


def _handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else parts.query
            fake.requests.append(
                Recorded(
                    self.command,
                    parts.path,
                    dict(parse_qsl(raw, keep_blank_values=True)),
                    {key.lower(): value for key, value in self.headers.items()},
                )
            )
            if fake.delay_seconds:
                time.sleep(fake.delay_seconds)
            status, body = fake.answers.get(
                (self.command, parts.path),
                (404, {"error": {"type": "invalid_request_error", "message": "No such object"}}),
            )
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_API_BASE = fake.base
    settings.STRIPE_SECRET_KEY = "sk_test_fake_" + secrets.token_hex(8)
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_TIMEOUT_SECONDS = 5
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def _request(**changes) -> CheckoutRequest:
    values: dict[str, Any] = {
        "order_ref": "6f1c1a52-0000-4000-8000-000000000001",
        "mode": "payment",
        "currency": "DKK",
        "lines": (CheckoutLine("Pottery for beginners", 1, 100000),),
        "total_minor": 100000,
        "customer_email": "buyer@example.org",
        "success_url": "https://school.example/checkout/x/return/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://school.example/checkout/x/cancelled/",
        "expires_at": timezone.now() + dt.timedelta(hours=2),
        "locale": "da",
    }
    values.update(changes)
    return CheckoutRequest(**values)


def _no_card_data(recorded: Recorded) -> None:
    for key in recorded.params:
        lowered = key.lower()
        assert not any(part in lowered for part in ("number", "cvc", "cvv", "card[")), key


# --- Checkout -----------------------------------------------------------------------------------


def test_r12_create_checkout_sends_a_hosted_checkout_request(fake_stripe):
    """R12: the Checkout Session carries the order's lines (gross, minor units, lower-case
    currency), email, reference, return addresses, expiry and language; no payment method
    list (the dashboard's methods, MobilePay included, apply) and never any card data."""
    fake_stripe.answer(
        "POST",
        "/v1/checkout/sessions",
        {"id": "cs_test_a1", "object": "checkout.session", "url": "https://pay.example/cs_a1"},
    )
    request = _request()

    session = StripeProvider().create_checkout(request)

    assert (session.session_id, session.url) == ("cs_test_a1", "https://pay.example/cs_a1")
    sent = fake_stripe.only("POST", "/v1/checkout/sessions")
    assert sent.headers["authorization"].startswith("Bearer sk_test_fake_")
    assert sent.params["mode"] == "payment"
    assert sent.params["line_items[0][price_data][currency]"] == "dkk"
    assert sent.params["line_items[0][price_data][unit_amount]"] == "100000"
    assert sent.params["line_items[0][price_data][product_data][name]"] == "Pottery for beginners"
    assert sent.params["line_items[0][quantity]"] == "1"
    assert sent.params["customer_email"] == "buyer@example.org"
    assert sent.params["client_reference_id"] == request.order_ref
    assert sent.params["success_url"] == request.success_url
    assert sent.params["cancel_url"] == request.cancel_url
    assert sent.params["expires_at"] == str(int(request.expires_at.timestamp()))
    assert sent.params["locale"] == "da"
    assert not any(key.startswith("payment_method_types") for key in sent.params)
    assert not any("recurring" in key for key in sent.params)
    _no_card_data(sent)


def test_r11_subscription_checkout_sends_the_recurring_interval(fake_stripe):
    """R11: a subscription is a Checkout Session in subscription mode with a recurring price."""
    fake_stripe.answer("POST", "/v1/checkout/sessions", {"id": "cs_test_s", "url": "https://p/s"})

    StripeProvider().create_checkout(
        _request(mode="subscription", interval="year", currency="EUR", locale="fr")
    )

    sent = fake_stripe.only("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "subscription"
    assert sent.params["line_items[0][price_data][recurring][interval]"] == "year"
    assert sent.params["line_items[0][price_data][currency]"] == "eur"
    assert sent.params["locale"] == "auto"


def test_r12_checkout_expiry_is_kept_within_what_stripe_accepts(fake_stripe):
    """R12: Stripe takes 30 minutes to 24 hours; a longer or shorter expiry is brought inside."""
    fake_stripe.answer("POST", "/v1/checkout/sessions", {"id": "cs_test_e", "url": "https://p/e"})
    now = timezone.now()

    StripeProvider().create_checkout(_request(expires_at=now + dt.timedelta(days=2)))
    StripeProvider().create_checkout(_request(expires_at=now + dt.timedelta(minutes=5)))

    long, short = (int(r.params["expires_at"]) for r in fake_stripe.requests)
    assert now.timestamp() + 23 * 3600 < long <= now.timestamp() + 24 * 3600
    assert now.timestamp() + 30 * 60 < short < now.timestamp() + 60 * 60


def test_r11_lines_that_do_not_add_up_to_the_total_are_sent_as_one(fake_stripe):
    """R11: when the lines do not show a discount, the buyer is charged the order's total."""
    fake_stripe.answer("POST", "/v1/checkout/sessions", {"id": "cs_test_d", "url": "https://p/d"})

    StripeProvider().create_checkout(
        _request(lines=(CheckoutLine("Seat", 3, 40000),), total_minor=108000)
    )

    sent = fake_stripe.only("POST", "/v1/checkout/sessions")
    assert sent.params["line_items[0][price_data][unit_amount]"] == "108000"
    assert sent.params["line_items[0][quantity]"] == "1"
    assert "line_items[1][quantity]" not in sent.params


def _paid_session(**changes) -> dict:
    session = {
        "id": "cs_test_paid",
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": "6f1c1a52-0000-4000-8000-000000000001",
        "amount_total": 100000,
        "currency": "dkk",
        "payment_intent": {
            "id": "pi_123",
            "object": "payment_intent",
            "status": "succeeded",
            "latest_charge": {
                "id": "ch_123",
                "object": "charge",
                "amount_refunded": 2500,
                "payment_method_details": {
                    "type": "card",
                    "card": {"last4": "4242", "exp_month": 8, "exp_year": 2031, "country": "SE"},
                },
            },
        },
        "subscription": None,
    }
    session.update(changes)
    return session


def test_r12_retrieve_checkout_maps_a_paid_session_with_its_card(fake_stripe):
    """R12: a paid session gives the payment reference and the card's last 4, expiry and
    country, read from the payment's charge (expanded in the same request)."""
    fake_stripe.answer("GET", "/v1/checkout/sessions/cs_test_paid", _paid_session())

    state = StripeProvider().retrieve_checkout("cs_test_paid")

    assert (state.session_id, state.status, state.order_ref) == (
        "cs_test_paid",
        "paid",
        "6f1c1a52-0000-4000-8000-000000000001",
    )
    assert (state.amount_minor, state.currency, state.payment_ref) == (100000, "DKK", "pi_123")
    assert state.refunded_minor == 2500
    assert state.card is not None
    assert (state.card.last4, state.card.exp_month, state.card.exp_year, state.card.country) == (
        "4242",
        8,
        2031,
        "SE",
    )
    sent = fake_stripe.only("GET", "/v1/checkout/sessions/cs_test_paid")
    assert "payment_intent.latest_charge" in sent.params.values()


def test_r12_retrieve_checkout_of_a_subscription_reads_its_payment_method(fake_stripe):
    """R12: a subscription's session has no payment intent of its own: the card comes from the
    subscription's payment method and the payment from its first invoice."""
    fake_stripe.answer(
        "GET",
        "/v1/checkout/sessions/cs_test_sub",
        _paid_session(
            id="cs_test_sub",
            payment_intent=None,
            subscription={
                "id": "sub_1",
                "object": "subscription",
                "default_payment_method": {
                    "id": "pm_1",
                    "card": {"last4": "1881", "exp_month": 1, "exp_year": 2030, "country": "DK"},
                },
                "latest_invoice": {
                    "id": "in_1",
                    "payments": {
                        "object": "list",
                        "data": [{"payment": {"type": "payment_intent", "payment_intent": "pi_9"}}],
                    },
                },
            },
        ),
    )

    state = StripeProvider().retrieve_checkout("cs_test_sub")

    assert (state.status, state.subscription_ref, state.payment_ref) == ("paid", "sub_1", "pi_9")
    assert state.card is not None and state.card.last4 == "1881"


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ({"status": "open", "payment_status": "unpaid", "payment_intent": None}, "open"),
        ({"status": "expired", "payment_status": "unpaid", "payment_intent": None}, "expired"),
        (
            {"status": "complete", "payment_status": "unpaid", "payment_intent": {"id": "pi_p"}},
            "open",
        ),
        (
            {
                "status": "complete",
                "payment_status": "unpaid",
                "payment_intent": {"id": "pi_f", "status": "requires_payment_method"},
            },
            "failed",
        ),
    ],
)
def test_r12_retrieve_checkout_maps_unpaid_states_without_card(fake_stripe, session, expected):
    """R12: only a paid session counts as paid, and only then is a card or payment read."""
    fake_stripe.answer("GET", "/v1/checkout/sessions/cs_test_u", _paid_session(**session))

    state = StripeProvider().retrieve_checkout("cs_test_u")

    assert (state.status, state.card, state.payment_ref) == (expected, None, "")


# --- Subscriptions and refunds --------------------------------------------------------------------


def _subscription(**changes) -> dict:
    subscription = {
        "id": "sub_1",
        "object": "subscription",
        "status": "active",
        "cancel_at_period_end": False,
        "items": {"object": "list", "data": [{"id": "si_1", "current_period_end": 1893456000}]},
        "default_payment_method": {
            "id": "pm_1",
            "card": {"last4": "4242", "exp_month": 12, "exp_year": 2029, "country": "DK"},
        },
    }
    subscription.update(changes)
    return subscription


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, "active"),
        ({"cancel_at_period_end": True}, "cancelled"),
        ({"status": "past_due"}, "past_due"),
        ({"status": "unpaid"}, "past_due"),
        ({"status": "canceled"}, "ended"),
        ({"status": "incomplete_expired"}, "ended"),
    ],
)
def test_r13_retrieve_subscription_maps_status_period_and_card(fake_stripe, changes, status):
    """R13: the subscription's status in the shop's words, its period end (on its items since
    API 2025-03-31) and its card."""
    fake_stripe.answer("GET", "/v1/subscriptions/sub_1", _subscription(**changes))

    state = StripeProvider().retrieve_subscription("sub_1")

    assert state.status == status
    assert state.current_period_end == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert state.card is not None and (state.card.exp_month, state.card.exp_year) == (12, 2029)


def test_r13_retrieve_subscription_reads_the_older_period_field(fake_stripe):
    """R13: an account on an older API version has the period on the subscription itself."""
    fake_stripe.answer(
        "GET", "/v1/subscriptions/sub_1", _subscription(items=None, current_period_end=1893456000)
    )

    state = StripeProvider().retrieve_subscription("sub_1")

    assert state.current_period_end == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_r13_cancel_subscription_at_period_end(fake_stripe):
    """R13: cancelling sets `cancel_at_period_end`; access lasts to the paid period's end."""
    fake_stripe.answer("POST", "/v1/subscriptions/sub_1", _subscription(cancel_at_period_end=True))

    state = StripeProvider().cancel_subscription("sub_1")

    sent = fake_stripe.only("POST", "/v1/subscriptions/sub_1")
    assert sent.params["cancel_at_period_end"] == "true"
    assert (state.status, state.cancel_at_period_end) == ("cancelled", True)


def test_r15_refund_sends_the_idempotency_key(fake_stripe):
    """R15: a refund names the payment and the amount, with our idempotency key, so a retry
    cannot refund twice."""
    fake_stripe.answer(
        "POST",
        "/v1/refunds",
        {"id": "re_1", "object": "refund", "status": "succeeded", "amount": 40000},
    )

    state = StripeProvider().refund("pi_123", 40000, idempotency_key="3b1d-key")

    sent = fake_stripe.only("POST", "/v1/refunds")
    assert (sent.params["payment_intent"], sent.params["amount"]) == ("pi_123", "40000")
    assert sent.headers["idempotency-key"] == "3b1d-key"
    assert (state.refund_ref, state.status, state.amount_minor) == ("re_1", "succeeded", 40000)


# --- Failures -------------------------------------------------------------------------------------


def test_r12_a_server_error_is_a_provider_error(fake_stripe):
    """R12: Stripe answering 500 (after the library's one retry) is a ProviderError."""
    fake_stripe.answer(
        "GET",
        "/v1/checkout/sessions/cs_test_x",
        {"error": {"type": "api_error", "message": "boom"}},
        status=500,
    )

    with pytest.raises(ProviderError):
        StripeProvider().retrieve_checkout("cs_test_x")

    assert len(fake_stripe.requests) == 2


def test_r12_an_unknown_object_is_a_provider_error(fake_stripe):
    """R12: a 404 from Stripe is a ProviderError, never an unhandled exception."""
    with pytest.raises(ProviderError):
        StripeProvider().retrieve_subscription("sub_missing")


def test_r12_a_timeout_is_a_provider_error(fake_stripe, settings):
    """R12: Stripe not answering in time is a ProviderError."""
    settings.STRIPE_TIMEOUT_SECONDS = 0.2
    fake_stripe.delay_seconds = 1.0
    fake_stripe.answer("POST", "/v1/checkout/sessions", {"id": "cs_late", "url": "https://p/l"})

    with pytest.raises(ProviderError):
        StripeProvider().create_checkout(_request())


def test_r12_without_a_secret_key_nothing_is_sent(fake_stripe, settings):
    """R12: an unconfigured Stripe refuses with a ProviderError before any request."""
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(ProviderError):
        StripeProvider().create_checkout(_request())

    assert fake_stripe.requests == []


# --- Webhooks ------------------------------------------------------------------------------------


def _stripe_event(event_type: str, data_object: dict, *, timestamp: int | None = None):
    body = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": data_object},
        }
    ).encode()
    header = signatures.sign(secret=WEBHOOK_SECRET, body=body, timestamp=timestamp)
    return body, {"Stripe-Signature": header}


@pytest.mark.parametrize(
    ("event_type", "data_object", "kind", "ref"),
    [
        ("checkout.session.completed", {"id": "cs_1"}, "checkout.completed", "cs_1"),
        ("checkout.session.async_payment_succeeded", {"id": "cs_1"}, "checkout.completed", "cs_1"),
        ("checkout.session.expired", {"id": "cs_1"}, "checkout.expired", "cs_1"),
        ("checkout.session.async_payment_failed", {"id": "cs_1"}, "checkout.failed", "cs_1"),
        (
            "invoice.paid",
            {"id": "in_1", "parent": {"subscription_details": {"subscription": "sub_1"}}},
            "invoice.paid",
            "sub_1",
        ),
        (
            "invoice.payment_failed",
            {"id": "in_1", "subscription": "sub_2"},
            "invoice.payment_failed",
            "sub_2",
        ),
        ("invoice.paid", {"id": "in_1", "parent": None}, "other", ""),
        ("customer.subscription.updated", {"id": "sub_1"}, "subscription.updated", "sub_1"),
        ("customer.subscription.deleted", {"id": "sub_1"}, "subscription.deleted", "sub_1"),
        ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1"}, "charge.refunded", "pi_1"),
        ("customer.created", {"id": "cus_1"}, "other", ""),
    ],
)
def test_r12_parse_webhook_maps_stripes_event_types(
    fake_stripe, event_type, data_object, kind, ref
):
    """R12: Stripe's event types in the shop's words, with the reference the handler re-fetches."""
    body, headers = _stripe_event(event_type, data_object)

    event = StripeProvider().parse_webhook(body, headers)

    assert (event.kind, event.object_ref, event.raw_type) == (kind, ref, event_type)


def test_r12_parse_webhook_checks_stripes_signature(fake_stripe, settings):
    """R12: a wrong secret, a stale timestamp or a missing header is rejected."""
    body, headers = _stripe_event("checkout.session.completed", {"id": "cs_1"})
    stale_body, stale_headers = _stripe_event(
        "checkout.session.completed", {"id": "cs_1"}, timestamp=int(time.time()) - 301
    )
    provider = StripeProvider()

    with pytest.raises(WebhookRejected) as stale:
        provider.parse_webhook(stale_body, stale_headers)
    with pytest.raises(WebhookRejected) as missing:
        provider.parse_webhook(body, {})
    settings.STRIPE_WEBHOOK_SECRET = "whsec_other"
    with pytest.raises(WebhookRejected) as forged:
        provider.parse_webhook(body, headers)

    assert (stale.value.reason, missing.value.reason, forged.value.reason) == (
        "stale_timestamp",
        "malformed_signature",
        "bad_signature",
    )


@pytest.mark.django_db
def test_r12_stripe_webhook_fulfils_after_re_fetching_the_session(client, fake_stripe, token):
    """R12: end to end through `/webhooks/stripe/`: "checkout.session.completed" makes the shop
    ask Stripe for the session, and the paid answer fulfils the order; a replay is a no-op."""
    from coursekeeper.commerce.tests.providers_helpers import pending_order

    complete_seller()
    order, _checkout = pending_order(token, product=course_product(token))
    Order.objects.filter(pk=order.pk).update(provider="stripe", provider_session_id="cs_test_e2e")
    fake_stripe.answer(
        "GET",
        "/v1/checkout/sessions/cs_test_e2e",
        _paid_session(id="cs_test_e2e", client_reference_id=str(order.public_id)),
    )
    # The body claims another amount: it is not read, the fetched session is.
    body, headers = _stripe_event(
        "checkout.session.completed", {"id": "cs_test_e2e", "amount_total": 1}
    )

    response = client.post(
        "/webhooks/stripe/", data=body, content_type="application/json", headers=headers
    )
    replay = client.post(
        "/webhooks/stripe/", data=body, content_type="application/json", headers=headers
    )

    assert (response.status_code, response.content) == (200, b"processed")
    assert (replay.status_code, replay.content) == (200, b"duplicate")
    order.refresh_from_db()
    assert (order.status, order.provider_payment_ref) == (Order.Status.PAID, "pi_123")
    assert WebhookEvent.objects.filter(provider="stripe").count() == 1
    assert [r.path for r in fake_stripe.requests] == ["/v1/checkout/sessions/cs_test_e2e"]


@pytest.mark.django_db
def test_r12_stripe_unreachable_during_a_webhook_asks_for_a_retry(client, fake_stripe, token):
    """R12: when Stripe cannot be asked, the webhook answers 503 and records nothing."""
    from coursekeeper.commerce.tests.providers_helpers import pending_order

    complete_seller()
    order, _checkout = pending_order(token)
    Order.objects.filter(pk=order.pk).update(provider="stripe", provider_session_id="cs_test_503")
    fake_stripe.answer(
        "GET",
        "/v1/checkout/sessions/cs_test_503",
        {"error": {"type": "api_error", "message": "unavailable"}},
        status=503,
    )
    body, headers = _stripe_event("checkout.session.completed", {"id": "cs_test_503"})

    response = client.post(
        "/webhooks/stripe/", data=body, content_type="application/json", headers=headers
    )

    assert response.status_code == 503
    assert WebhookEvent.objects.count() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


# --- Erasure (R29) --------------------------------------------------------------------------------


def _stripe_subscriber(token: str, *refs: str):
    """A person with a Stripe subscription under each of `refs`, each from its own paid order."""
    complete_seller()
    person = UserFactory(email=f"stripe-{token}@example.org")
    product = course_product(token, subscription=True)
    for ref in refs:
        SubscriptionFactory(
            user=person,
            product=product,
            provider="stripe",
            provider_ref=ref,
            order=OrderFactory(buyer=person, provider="stripe"),
        )
    return person


def _sent(fake: FakeStripe) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


def _renewal_webhook_creates_nothing(client, ref: str) -> None:
    """A renewal webhook for `ref` (a replay, a late one) is acknowledged and creates nothing."""
    orders, invoices = Order.objects.count(), Invoice.objects.count()
    body, headers = _stripe_event(
        "invoice.paid",
        {"id": f"in_{ref}", "parent": {"subscription_details": {"subscription": ref}}},
    )

    response = client.post(
        "/webhooks/stripe/", data=body, content_type="application/json", headers=headers
    )

    assert (response.status_code, response.content) == (200, b"unknown_order")
    assert (Order.objects.count(), Invoice.objects.count()) == (orders, invoices)
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_r29_erasure_cancels_a_stripe_subscription_at_once_before_the_rows_go(
    client, fake_stripe, token, settings
):
    """R29, R13: the erasure job asks Stripe for the subscription, cancels it at once (not at
    the period's end) and only then erases; a renewal webhook afterwards creates nothing and
    asks Stripe nothing."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = _stripe_subscriber(token, "sub_e1")
    fake_stripe.answer("GET", "/v1/subscriptions/sub_e1", _subscription(id="sub_e1"))
    fake_stripe.answer(
        "DELETE", "/v1/subscriptions/sub_e1", _subscription(id="sub_e1", status="canceled")
    )
    job = jobs.request_erasure(user=person)

    assert jobs.run_erasure_job(job_id=job.pk) is True

    assert _sent(fake_stripe) == [
        ("GET", "/v1/subscriptions/sub_e1"),
        ("DELETE", "/v1/subscriptions/sub_e1"),
    ]
    assert fake_stripe.only("DELETE", "/v1/subscriptions/sub_e1").params == {
        "expand[0]": "default_payment_method"
    }
    assert Subscription.objects.count() == 0
    assert not type(person).objects.filter(pk=person.pk).exists()

    _renewal_webhook_creates_nothing(client, "sub_e1")
    assert len(fake_stripe.requests) == 2


@pytest.mark.django_db
def test_r29_stripe_down_erases_nothing_and_the_retry_cancels_each_subscription_once(
    client, fake_stripe, token, settings
):
    """R29: Stripe failing on the second of two subscriptions fails the step: nothing is erased
    and the job waits; the retry goes on from the subscription not yet cancelled, so neither is
    asked or cancelled twice, and then erases."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = _stripe_subscriber(token, "sub_a", "sub_b")
    fake_stripe.answer("GET", "/v1/subscriptions/sub_a", _subscription(id="sub_a"))
    fake_stripe.answer(
        "DELETE", "/v1/subscriptions/sub_a", _subscription(id="sub_a", status="canceled")
    )
    fake_stripe.answer(
        "GET",
        "/v1/subscriptions/sub_b",
        {"error": {"type": "api_error", "message": "unavailable"}},
        status=503,
    )
    job = jobs.request_erasure(user=person)

    assert jobs.run_erasure_job(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.last_error_code) == ("queued", "step:commerce.cancel_subscriptions")
    assert type(person).objects.filter(pk=person.pk).count() == 1
    assert dict(Subscription.objects.values_list("provider_ref", "status")) == {
        "sub_a": Subscription.Status.ENDED,
        "sub_b": Subscription.Status.ACTIVE,
    }

    fake_stripe.answer("GET", "/v1/subscriptions/sub_b", _subscription(id="sub_b"))
    fake_stripe.answer(
        "DELETE", "/v1/subscriptions/sub_b", _subscription(id="sub_b", status="canceled")
    )
    with time_machine.travel(job.next_attempt_at, tick=False):
        assert jobs.run_erasure_job(job_id=job.pk) is True

    sent = _sent(fake_stripe)
    assert [sent.count(("GET", f"/v1/subscriptions/{ref}")) for ref in ("sub_a", "sub_b")] == [
        1,
        3,  # the library's one retry of the 503, then the retry of the job
    ]
    assert [sent.count(("DELETE", f"/v1/subscriptions/{ref}")) for ref in ("sub_a", "sub_b")] == [
        1,
        1,
    ]
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert Subscription.objects.count() == 0
    assert not type(person).objects.filter(pk=person.pk).exists()
    _renewal_webhook_creates_nothing(client, "sub_b")


@pytest.mark.django_db
def test_r29_a_subscription_stripe_does_not_know_does_not_hold_the_erasure_up(
    fake_stripe, token, settings
):
    """R29: Stripe's 404 is a definite answer -- what it does not know it cannot charge -- so
    the erasure goes on (unlike an unreachable Stripe)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = _stripe_subscriber(token, "sub_gone")
    job = jobs.request_erasure(user=person)

    assert jobs.run_erasure_job(job_id=job.pk) is True

    assert _sent(fake_stripe) == [("GET", "/v1/subscriptions/sub_gone")]
    assert Subscription.objects.count() == 0
