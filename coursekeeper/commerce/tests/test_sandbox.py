"""The built-in test provider (R12): its hosted page, its webhook delivery, its billing clock.

The hosted page is driven through Django's test client; deliveries run the real task on commit
(pytest-django's `django_capture_on_commit_callbacks(execute=True)`, with the test settings'
immediate task backend), so an event travels the same way a worker would carry it: signed,
through `webhooks.handle_webhook`.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone

from coursekeeper.commerce.models import (
    Order,
    SandboxCheckout,
    SandboxEvent,
    SandboxSubscription,
    Subscription,
    WebhookEvent,
)
from coursekeeper.commerce.providers import sandbox
from coursekeeper.commerce.providers.base import ProviderError, WebhookRejected
from coursekeeper.commerce.tests.providers_helpers import (
    complete_seller,
    pending_order,
    provider_not_answering,
    sandbox_event,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seller():
    complete_seller()


class _Fields(HTMLParser):
    """Collect every form control of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "textarea", "button"):
            self.controls.append((tag, {key: value or "" for key, value in attrs}))


def _controls(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Fields()
    parser.feed(html)
    return parser.controls


def _pay_url(checkout: SandboxCheckout) -> str:
    return f"/pay/test/{checkout.session_id}/"


def _events(**filters) -> list[str]:
    return list(
        SandboxEvent.objects.filter(**filters).order_by("pk").values_list("event_type", flat=True)
    )


# --- The hosted page -------------------------------------------------------------------------


def test_r12_hosted_page_has_no_field_that_could_take_card_data(client, token):
    """R12: the test provider's page never asks for card data: no input whose name, id or
    autocomplete looks like a card number, security code or expiry, and no free-text input."""
    _order, checkout = pending_order(token)

    response = client.get(_pay_url(checkout))

    assert response.status_code == 200
    html = response.content.decode()
    card_like = re.compile(r"card|^cc|cc-|cvc|cvv|csc|number|pan\b|expir", re.IGNORECASE)
    for tag, attributes in _controls(html):
        for attribute in ("name", "id", "autocomplete"):
            assert not card_like.search(attributes.get(attribute, "")), (tag, attributes)
        if tag == "input":
            assert attributes.get("type") in ("radio", "hidden"), attributes
    assert "No money moves" in html
    assert checkout.description in html
    assert "1.000,00 DKK" in html or "1000.00 DKK" in html or "1,000.00 DKK" in html
    assert '<button type="submit" name="outcome" value="pay">' in html
    assert f'href="{checkout.cancel_url}"' in html
    assert "<main" in html and "<h1>" in html


def test_r12_card_country_defaults_to_the_orders_billing_country(client, token):
    """R12: the card's country starts at the order's billing country, kept by the provider;
    a country in the address bar is ignored."""
    _order, checkout = pending_order(token, country="DE")

    response = client.get(_pay_url(checkout) + "?issuer_country=FR&country=FR")

    selected = re.search(r'<option value="(\w\w)" selected>', response.content.decode())
    assert selected is not None and selected.group(1) == "DE"


def test_r12_unknown_session_is_404(client):
    """R12: a session id the provider does not know has no page."""
    assert client.get("/pay/test/cs_test_nothing/").status_code == 404
    assert client.post("/pay/test/cs_test_nothing/", {"outcome": "pay"}).status_code == 404


def test_r12_paying_redirects_to_the_success_url_and_delivers_the_event_once(
    client, token, django_capture_on_commit_callbacks
):
    """R12: paying marks the checkout paid, sends the browser back with the session id and
    delivers "checkout.completed" once, signed, through the webhook handler: the order is
    paid. The deliverer run afterwards finds nothing left to deliver."""
    order, checkout = pending_order(token, country="DE")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _pay_url(checkout),
            {"outcome": "pay", "simulate": "accepted", "issuer_country": "DE"},
        )

    assert response.status_code == 303
    assert response["Location"] == (
        f"http://testserver/checkout/{order.public_id}/return/?session_id={checkout.session_id}"
    )
    checkout.refresh_from_db()
    assert checkout.status == "paid"
    assert (checkout.card_last4, checkout.card_country) == ("4242", "DE")
    assert checkout.payment_ref.startswith("pi_test_")
    event = SandboxEvent.objects.get()
    assert (event.event_type, event.object_ref, event.attempts) == (
        "checkout.completed",
        checkout.session_id,
        1,
    )
    assert event.delivered_at is not None
    assert list(WebhookEvent.objects.values_list("event_id", "outcome")) == [
        (event.event_id, "processed")
    ]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    call_command("commerce_sandbox_deliver", verbosity=0)

    event.refresh_from_db()
    assert event.attempts == 1
    assert WebhookEvent.objects.count() == 1


def test_r12_a_declined_card_shows_the_decline_and_changes_nothing(client, token):
    """R12: a declined test card is shown on the page; the checkout stays open to try again."""
    order, checkout = pending_order(token)

    response = client.post(
        _pay_url(checkout), {"outcome": "pay", "simulate": "declined", "issuer_country": "DK"}
    )

    assert response.status_code == 402
    assert "declined" in response.content.decode()
    checkout.refresh_from_db()
    assert checkout.status == "open"
    assert SandboxEvent.objects.count() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_r12_paying_a_paid_checkout_again_changes_nothing(client, token):
    """R12: a second POST (a double click, the back button) is refused and says so."""
    _order, checkout = pending_order(token)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    checkout.refresh_from_db()
    payment_ref = checkout.payment_ref

    response = client.post(
        _pay_url(checkout), {"outcome": "pay", "simulate": "accepted", "issuer_country": "SE"}
    )

    assert response.status_code == 409
    assert "already paid" in response.content.decode()
    checkout.refresh_from_db()
    assert (checkout.payment_ref, checkout.card_country) == (payment_ref, "DK")
    assert _events() == ["checkout.completed"]


def test_r12_paying_an_expired_checkout_changes_nothing(client, token):
    """R12: a checkout past its time cannot be paid; the page says so."""
    _order, checkout = pending_order(token)
    SandboxCheckout.objects.filter(pk=checkout.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    page = client.get(_pay_url(checkout))
    response = client.post(
        _pay_url(checkout), {"outcome": "pay", "simulate": "accepted", "issuer_country": "DK"}
    )

    assert 'name="outcome"' not in page.content.decode()
    assert response.status_code == 409
    assert "expired" in response.content.decode()
    checkout.refresh_from_db()
    assert (checkout.status, checkout.payment_ref) == ("open", "")
    assert SandboxEvent.objects.count() == 0


def test_r12_a_post_without_the_pay_button_or_with_bad_choices_changes_nothing(client, token):
    """R12: bad input is answered 400 with the form again; nothing is paid."""
    _order, checkout = pending_order(token)

    no_button = client.post(_pay_url(checkout), {"simulate": "accepted", "issuer_country": "DK"})
    bad_card = client.post(
        _pay_url(checkout), {"outcome": "pay", "simulate": "stolen", "issuer_country": "DK"}
    )
    bad_country = client.post(
        _pay_url(checkout), {"outcome": "pay", "simulate": "accepted", "issuer_country": "XX"}
    )

    assert (no_button.status_code, bad_card.status_code, bad_country.status_code) == (
        400,
        400,
        400,
    )
    checkout.refresh_from_db()
    assert checkout.status == "open"
    assert SandboxEvent.objects.count() == 0


def test_r12_hosted_page_is_translated(client, token):
    """R12: the page follows the visitor's language (da/de/en)."""
    _order, checkout = pending_order(token)

    response = client.get(_pay_url(checkout), headers={"accept-language": "de"})

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


# --- Delivery --------------------------------------------------------------------------------


def test_r12_the_deliverer_delivers_what_a_lost_task_left_once(token):
    """R12: an event whose task never ran is delivered by `commerce_sandbox_deliver`, once."""
    order, checkout = pending_order(token)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    event = SandboxEvent.objects.get()
    assert event.delivered_at is None  # no task ran: on-commit callbacks are not executed here

    call_command("commerce_sandbox_deliver", verbosity=0)
    call_command("commerce_sandbox_deliver", verbosity=0)

    event.refresh_from_db()
    assert (event.attempts, event.delivered_at is not None) == (1, True)
    assert WebhookEvent.objects.filter(event_id=event.event_id).count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_r12_a_failed_delivery_is_counted_and_retried(token):
    """R12: when our handler fails (here: the provider cannot answer about the session) the
    event stays due with its attempt counted; the next run delivers it."""
    order, checkout = pending_order(token)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    event = SandboxEvent.objects.get()
    with provider_not_answering(checkout):
        assert sandbox.deliver_sandbox_event(event_pk=event.pk) is None

    event.refresh_from_db()
    assert (event.attempts, event.delivered_at) == (1, None)
    assert WebhookEvent.objects.count() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    call_command("commerce_sandbox_deliver", verbosity=0)

    event.refresh_from_db()
    assert (event.attempts, event.delivered_at is not None) == (2, True)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_r12_an_event_that_keeps_failing_is_given_up_after_the_limit(token):
    """R12: after MAX_DELIVERY_ATTEMPTS failures the deliverer leaves the event alone."""
    _order, checkout = pending_order(token)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    SandboxEvent.objects.update(attempts=sandbox.MAX_DELIVERY_ATTEMPTS)

    call_command("commerce_sandbox_deliver", verbosity=0)

    assert WebhookEvent.objects.count() == 0
    assert SandboxEvent.objects.get().attempts == sandbox.MAX_DELIVERY_ATTEMPTS


def test_r12_the_deliverer_expires_abandoned_checkouts(token, django_capture_on_commit_callbacks):
    """R12: an open checkout past its time expires at the provider, whose "checkout.expired"
    expires our order."""
    order, checkout = pending_order(token)
    SandboxCheckout.objects.filter(pk=checkout.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("commerce_sandbox_deliver", verbosity=0)

    checkout.refresh_from_db()
    assert checkout.status == "expired"
    assert _events(delivered_at__isnull=False) == ["checkout.expired"]
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED


# --- The provider interface ---------------------------------------------------------------------


def test_r12_create_checkout_points_at_the_hosted_page_of_the_success_urls_site(token):
    """R12: the hosted page's address is built from the success URL's origin."""
    order, checkout = pending_order(token)

    assert checkout.session_id.startswith("cs_test_")
    assert checkout.order_ref == str(order.public_id)
    assert (checkout.amount_minor, checkout.currency, checkout.status) == (100000, "DKK", "open")
    assert checkout.expires_at == order.expires_at
    assert checkout.card_country == "DK"


def test_r12_retrieve_checkout_shows_the_card_only_when_paid(token):
    """R12: the provider's answer carries the card's last 4 digits and expiry only once paid."""
    provider = sandbox.SandboxProvider()
    _order, checkout = pending_order(token)

    before = provider.retrieve_checkout(checkout.session_id)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="expiring", card_country="SE")
    after = provider.retrieve_checkout(checkout.session_id)

    assert (before.status, before.card, before.payment_ref) == ("open", None, "")
    now = timezone.now()
    assert after.status == "paid"
    assert after.card is not None
    assert (after.card.last4, after.card.exp_month, after.card.exp_year, after.card.country) == (
        "4444",
        now.month,
        now.year,
        "SE",
    )
    with pytest.raises(ProviderError):
        provider.retrieve_checkout("cs_test_unknown")


def test_r12_refund_is_idempotent_per_key_and_never_more_than_paid(token):
    """R12: a refund with the same idempotency key refunds once; more than paid is refused."""
    provider = sandbox.SandboxProvider()
    _order, checkout = pending_order(token)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    checkout.refresh_from_db()

    first = provider.refund(checkout.payment_ref, 40000, idempotency_key=f"key-{token}")
    again = provider.refund(checkout.payment_ref, 40000, idempotency_key=f"key-{token}")
    with pytest.raises(ProviderError):
        provider.refund(checkout.payment_ref, 60001, idempotency_key=f"other-{token}")
    rest = provider.refund(checkout.payment_ref, 60000, idempotency_key=f"rest-{token}")

    assert first == again
    assert (first.status, first.amount_minor) == ("succeeded", 40000)
    assert rest.refund_ref != first.refund_ref
    checkout.refresh_from_db()
    assert checkout.refunded_minor == 100000
    assert _events(event_type="charge.refunded") == ["charge.refunded", "charge.refunded"]
    with pytest.raises(ProviderError):
        provider.refund("pi_test_unknown", 1, idempotency_key=f"x-{token}")


def test_r12_parse_webhook_reads_a_signed_event_and_refuses_a_malformed_one(token):
    """R12: the test provider's webhook body maps to a ProviderEvent; junk is rejected."""
    provider = sandbox.SandboxProvider()
    body, headers = sandbox_event("invoice.paid", f"sub_test_{token}", event_id=f"evt_{token}")

    event = provider.parse_webhook(body, {key.lower(): value for key, value in headers.items()})

    assert (event.event_id, event.kind, event.object_ref) == (
        f"evt_{token}",
        "invoice.paid",
        f"sub_test_{token}",
    )
    junk = b"not json"
    with pytest.raises(WebhookRejected) as rejected:
        provider.parse_webhook(junk, sandbox.signed_headers(junk))
    assert rejected.value.reason == "malformed_body"


# --- Subscriptions and the billing clock --------------------------------------------------------


def _paid_subscription(token: str, card: str = "accepted") -> SandboxSubscription:
    _order, checkout = pending_order(token, subscription=True)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card=card, card_country="DK")
    SandboxEvent.objects.all().delete()  # the purchase's events are not what these tests count
    return SandboxSubscription.objects.select_related("session").get()


def test_r13_renew_charges_a_subscription_whose_period_ended(token):
    """R13: the billing clock moves an ended period one interval on and emits "invoice.paid";
    a rerun does nothing more."""
    subscription = _paid_subscription(token)
    period_end = subscription.current_period_end

    counts = sandbox.renew_sandbox_subscriptions(now=period_end)
    again = sandbox.renew_sandbox_subscriptions(now=period_end)

    subscription.refresh_from_db()
    assert subscription.current_period_end == sandbox.add_interval(period_end, "month")
    assert (counts.renewed, counts.ended, counts.declined) == (1, 0, 0)
    assert (again.renewed, again.ended, again.declined) == (0, 0, 0)
    assert _events() == ["invoice.paid"]


def test_r13_renew_ends_a_subscription_cancelled_at_period_end(token):
    """R13: cancelled at period end: the clock ends it ("subscription.deleted")."""
    subscription = _paid_subscription(token)
    state = sandbox.SandboxProvider().cancel_subscription(subscription.subscription_ref)

    counts = sandbox.renew_sandbox_subscriptions(now=subscription.current_period_end)

    assert (state.status, state.cancel_at_period_end) == ("cancelled", True)
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    assert counts.ended == 1
    assert _events() == ["subscription.updated", "subscription.deleted"]


def test_r13_renew_declines_a_card_that_expired_and_ends_after_the_grace(token):
    """R13: a card that expired before the charge: the renewal is declined
    ("invoice.payment_failed", past due); 14 days on, the subscription ends."""
    subscription = _paid_subscription(token, card="expiring")
    period_end = subscription.current_period_end  # next month: after the card's expiry month

    declined = sandbox.renew_sandbox_subscriptions(now=period_end)
    waiting = sandbox.renew_sandbox_subscriptions(now=period_end + dt.timedelta(days=13))
    ended = sandbox.renew_sandbox_subscriptions(now=period_end + sandbox.PAST_DUE_GRACE)

    assert (declined.declined, waiting.declined, waiting.ended, ended.ended) == (1, 0, 0, 1)
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    assert _events() == ["invoice.payment_failed", "subscription.deleted"]
    state = sandbox.SandboxProvider().retrieve_subscription(subscription.subscription_ref)
    assert state.status == "ended"


def test_r13_renew_command_syncs_our_subscription(token, django_capture_on_commit_callbacks):
    """R13: end to end: a subscription bought at the test provider renews through the command,
    and its "invoice.paid" moves our subscription's paid period on."""
    import time_machine

    order, checkout = pending_order(token, subscription=True)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.pay_sandbox_checkout(
            session_id=checkout.session_id, card="accepted", card_country="DK"
        )
    ours = Subscription.objects.get(order=order)
    period_end = ours.current_period_end

    with (
        time_machine.travel(period_end + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("commerce_sandbox_renew", verbosity=0)

    ours.refresh_from_db()
    assert ours.current_period_end == sandbox.add_interval(period_end, "month")
    assert ours.status == Subscription.Status.ACTIVE
    assert SandboxEvent.objects.filter(delivered_at__isnull=True).count() == 0


def test_add_interval_keeps_the_day_or_takes_the_months_last():
    """A month on from 31 January is the last day of February; a year on keeps the date."""
    moment = dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)

    assert sandbox.add_interval(moment, "month") == dt.datetime(2027, 2, 28, 10, 0, tzinfo=dt.UTC)
    assert sandbox.add_interval(moment, "year") == dt.datetime(2028, 1, 31, 10, 0, tzinfo=dt.UTC)
    december = dt.datetime(2027, 12, 15, tzinfo=dt.UTC)
    assert sandbox.add_interval(december, "month") == dt.datetime(2028, 1, 15, tzinfo=dt.UTC)
