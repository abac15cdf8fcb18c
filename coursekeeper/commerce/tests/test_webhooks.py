"""Webhooks through the real view (R12): signed, processed once, re-checked, safe in any order.

Events are built and signed in the test with the test provider's real secret and posted to
`/webhooks/test/` with Django's test client; the state they speak of lives in the test
provider's own rows, which the handler asks for (it never trusts the body).
"""

from __future__ import annotations

import time

import pytest

from coursekeeper.accounts.models import User
from coursekeeper.commerce.models import (
    Invoice,
    Order,
    Refund,
    SandboxSubscription,
    Subscription,
    WebhookEvent,
)
from coursekeeper.commerce.providers import sandbox
from coursekeeper.commerce.tests.providers_helpers import (
    complete_seller,
    pending_order,
    post_event,
    provider_not_answering,
    sandbox_event,
)
from coursekeeper.learning.models import Enrollment
from coursekeeper.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seller():
    complete_seller()


def _pay(checkout, card: str = sandbox.CARD_ACCEPTED) -> None:
    """Pay at the test provider without delivering its events (the test delivers them)."""
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card=card, card_country="DK")
    checkout.refresh_from_db()


def _counts() -> dict[str, int]:
    return {
        "webhook_events": WebhookEvent.objects.count(),
        "invoices": Invoice.objects.count(),
        "enrolments": Enrollment.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "users": User.objects.count(),
        "orders": Order.objects.count(),
        "subscriptions": Subscription.objects.count(),
    }


def test_r12_forged_signature_is_refused_and_changes_nothing(client, token):
    """R12: an event signed with another secret answers 400 and records nothing."""
    order, checkout = pending_order(token)
    _pay(checkout)
    body, _headers = sandbox_event("checkout.completed", checkout.session_id)
    from coursekeeper.commerce import signatures

    forged = {sandbox.SIGNATURE_HEADER: signatures.sign(secret="not-the-secret", body=body)}
    before = _counts()

    response = post_event(client, body, forged)

    assert response.status_code == 400
    assert response.content == b"bad_signature"
    assert _counts() == before
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_r12_tampered_body_is_refused(client, token):
    """R12: a validly signed body changed on the way (another session id) answers 400."""
    _order, checkout = pending_order(token)
    body, headers = sandbox_event("checkout.completed", checkout.session_id)
    before = _counts()

    response = post_event(client, body.replace(b"checkout.completed", b"checkout.expired"), headers)

    assert response.status_code == 400
    assert _counts() == before


def test_r12_missing_signature_is_refused(client, token):
    """R12: no signature header at all answers 400."""
    _order, checkout = pending_order(token)
    body, _headers = sandbox_event("checkout.completed", checkout.session_id)

    response = post_event(client, body, {})

    assert response.status_code == 400
    assert response.content == b"malformed_signature"
    assert WebhookEvent.objects.count() == 0


def test_r12_stale_timestamp_is_refused(client, token):
    """R12: a correctly signed event older than 300 seconds is a replay risk: 400, nothing."""
    order, checkout = pending_order(token)
    _pay(checkout)
    body, headers = sandbox_event(
        "checkout.completed", checkout.session_id, timestamp=int(time.time()) - 301
    )
    before = _counts()

    response = post_event(client, body, headers)

    assert response.status_code == 400
    assert response.content == b"stale_timestamp"
    assert _counts() == before
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_r12_good_event_is_processed_and_a_replay_changes_nothing(client, token):
    """R12: a paid checkout's event fulfils the order once; the same event again is a no-op."""
    order, checkout = pending_order(token)
    _pay(checkout)
    body, headers = sandbox_event("checkout.completed", checkout.session_id)

    response = post_event(client, body, headers)

    assert response.status_code == 200
    assert response.content == b"processed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.provider_payment_ref == checkout.payment_ref
    assert Invoice.objects.filter(order=order).count() == 1
    assert Enrollment.objects.filter(learner=order.buyer).count() == 1
    event = WebhookEvent.objects.get()
    assert (event.provider, event.event_type, event.outcome) == (
        "test",
        "checkout.completed",
        "processed",
    )
    after_first = _counts()

    again = post_event(client, body, sandbox_event_headers_for(body))

    assert again.status_code == 200
    assert again.content == b"duplicate"
    assert _counts() == after_first


def sandbox_event_headers_for(body: bytes) -> dict[str, str]:
    """Sign `body` again now, as a provider's retry of the same event would."""
    return sandbox.signed_headers(body)


def test_r12_a_second_event_about_a_fulfilled_order_grants_nothing_twice(client, token):
    """R12: another "checkout.completed" (a new event id) for a paid order adds nothing."""
    _order, checkout = pending_order(token)
    _pay(checkout)
    post_event(client, *sandbox_event("checkout.completed", checkout.session_id))
    after_first = _counts()

    response = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert response.content == b"processed"
    assert {**_counts(), "webhook_events": 0} == {**after_first, "webhook_events": 0}
    assert WebhookEvent.objects.count() == 2


def test_r12_completed_event_for_an_unpaid_checkout_grants_nothing(client, token):
    """R12: the body is not trusted: "completed" for a checkout still open fulfils nothing."""
    order, checkout = pending_order(token)
    before = _counts()

    response = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert {**_counts(), "webhook_events": 0} == {**before, "webhook_events": 0}


def test_r12_expired_then_completed_for_a_paid_session_ends_paid(client, token):
    """R12: out of order: "expired" arriving first does not touch a paid session's order,
    and the "completed" after it still fulfils."""
    order, checkout = pending_order(token)
    _pay(checkout)

    expired = post_event(client, *sandbox_event("checkout.expired", checkout.session_id))
    order.refresh_from_db()
    status_after_expired = order.status
    completed = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert (expired.status_code, completed.status_code) == (200, 200)
    assert status_after_expired == Order.Status.PENDING
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Invoice.objects.filter(order=order).count() == 1


def test_r12_expired_event_for_an_expired_session_expires_the_order(client, token):
    """R12: the provider's "expired" (re-checked: the session really expired) ends the order."""
    order, checkout = pending_order(token)
    sandbox.expire_sandbox_checkouts(now=checkout.expires_at)  # events not delivered here

    response = post_event(client, *sandbox_event("checkout.expired", checkout.session_id))

    assert response.content == b"processed"
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert Invoice.objects.count() == 0


def test_r12_invoice_paid_before_checkout_completed(client, token):
    """R12: out of order: a subscription's first "invoice.paid" before "checkout.completed"
    finds no subscription yet and changes nothing; the checkout then creates it from the
    provider's state, and the next "invoice.paid" syncs it."""
    _order, checkout = pending_order(token, subscription=True)
    _pay(checkout)
    provider_subscription = SandboxSubscription.objects.get()

    early = post_event(client, *sandbox_event("invoice.paid", checkout.subscription_ref))

    assert early.status_code == 200
    assert early.content == b"unknown_order"
    assert Subscription.objects.count() == 0

    completed = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert completed.content == b"processed"
    subscription = Subscription.objects.get()
    assert subscription.provider_ref == checkout.subscription_ref
    assert subscription.current_period_end == provider_subscription.current_period_end
    assert subscription.status == Subscription.Status.ACTIVE

    later = post_event(client, *sandbox_event("invoice.paid", checkout.subscription_ref))

    assert later.content == b"processed"
    assert Subscription.objects.count() == 1


def test_r12_unknown_session_is_acknowledged_and_creates_nothing(client, token):
    """R12: an event for a session no order knows answers 200 "unknown_order"; nothing is
    created but the event's id, so a retry of it is a duplicate."""
    body, headers = sandbox_event("checkout.completed", f"cs_test_unknown_{token}")
    before = _counts()

    response = post_event(client, body, headers)

    assert response.status_code == 200
    assert response.content == b"unknown_order"
    assert {**_counts(), "webhook_events": 0} == {**before, "webhook_events": 0}
    assert WebhookEvent.objects.get().outcome == "unknown_order"


def test_r12_refund_for_an_unknown_payment_is_acknowledged(client, token):
    """R12: "charge.refunded" for a payment no order has answers 200 "unknown_order"."""
    response = post_event(client, *sandbox_event("charge.refunded", f"pi_test_{token}"))

    assert response.status_code == 200
    assert response.content == b"unknown_order"


def test_r12_refund_made_at_the_provider_is_recorded_once(client, token):
    """R12: "charge.refunded" for a refund made at the provider's dashboard: the shop asks the
    provider how much is refunded and records it once; the event again adds nothing."""
    order, checkout = pending_order(token)
    _pay(checkout)
    post_event(client, *sandbox_event("checkout.completed", checkout.session_id))
    sandbox.SandboxProvider().refund(checkout.payment_ref, 30000, idempotency_key=f"dash-{token}")

    first = post_event(client, *sandbox_event("charge.refunded", checkout.payment_ref))
    second = post_event(client, *sandbox_event("charge.refunded", checkout.payment_ref))

    assert (first.content, second.content) == (b"processed", b"processed")
    assert list(Refund.objects.filter(order=order).values_list("amount_minor", "reason")) == [
        (30000, Refund.Reason.PROVIDER)
    ]


def test_r12_other_event_types_are_acknowledged_and_ignored(client, token):
    """R12: an event type the shop does not act on is acknowledged, so it is not resent."""
    response = post_event(client, *sandbox_event("customer.created", f"cus_{token}"))

    assert response.status_code == 200
    assert response.content == b"ignored"


def test_r12_a_failing_handler_rolls_back_and_the_retry_is_processed(client, token):
    """R12: when the state cannot be re-checked (the provider does not answer) nothing is
    recorded, the provider is told to retry (503), and the retry goes through."""
    order, checkout = pending_order(token)
    _pay(checkout)
    body, headers = sandbox_event("checkout.completed", checkout.session_id)
    before = _counts()

    with provider_not_answering(checkout):
        failed = post_event(client, body, headers)

    assert failed.status_code == 503
    assert _counts() == before
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    retried = post_event(client, body, sandbox.signed_headers(body))

    assert retried.status_code == 200
    assert retried.content == b"processed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_r12_unknown_provider_is_404_and_get_is_refused(client):
    """R12: only the providers the shop knows have a webhook; it takes POST only."""
    body, headers = sandbox_event("checkout.completed", "cs_test_x")

    assert post_event(client, body, headers, provider="paypal").status_code == 404
    assert client.get("/webhooks/test/").status_code == 405
    assert WebhookEvent.objects.count() == 0


def test_r12_webhook_view_needs_no_csrf_token(token):
    """R12: providers post without a CSRF token; the signature is the check."""
    from django.test import Client

    _order, checkout = pending_order(token)
    strict = Client(enforce_csrf_checks=True)

    response = post_event(strict, *sandbox_event("checkout.completed", checkout.session_id))

    assert response.status_code == 200
