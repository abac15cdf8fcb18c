"""Refunds and the right of withdrawal (R15), through the real test provider and its webhooks."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory
from coursekeeper.commerce import refunds, withdrawal
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.factories import ProductFactory, WithdrawalWaiverFactory
from coursekeeper.commerce.models import (
    Invoice,
    Order,
    Refund,
    SandboxCheckout,
    SandboxSubscription,
    Subscription,
    WithdrawalWaiver,
)
from coursekeeper.commerce.providers.sandbox import SandboxProvider
from coursekeeper.commerce.tests.aftersale_helpers import (
    enrolment_of,
    paid_order,
    signed_in,
    subscription_of,
)
from coursekeeper.privacy.models import StaffAccess
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db(transaction=True)


def at_provider(order: Order) -> SandboxCheckout:
    return SandboxCheckout.objects.get(session_id=order.provider_session_id)


def credit_notes(order: Order) -> list[Invoice]:
    return list(order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).order_by("pk"))


# --- Staff refunds ------------------------------------------------------------------------------


def test_r15_staff_refund_double_click_refunds_once_at_the_provider(token, smtp_server):
    order = paid_order(token)
    client = staff_client(Role.SUPPORT)
    url = reverse("commerce_staff:refund", args=[order.public_id])
    form = {"amount": "1000.00", "note": "Course cancelled", "request_key": str(uuid.uuid4())}

    detail = client.get(reverse("commerce_staff:order", args=[order.public_id]))
    confirm = client.post(url, form)
    first = client.post(url, {**form, "confirm": "1"})
    second = client.post(url, {**form, "confirm": "1"})

    assert detail.status_code == confirm.status_code == 200
    assert "Confirm the refund" in confirm.content.decode()
    assert first.status_code == second.status_code == 302
    (refund,) = Refund.objects.filter(order=order)
    assert (refund.amount_minor, refund.status, refund.reason) == (
        100000,
        Refund.Status.SUCCEEDED,
        Refund.Reason.STAFF,
    )
    assert at_provider(order).refunded_minor == 100000
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    (note,) = credit_notes(order)
    assert note.total_minor == -100000
    access_until = enrolment_of(order).access_until
    assert access_until is not None and access_until <= timezone.now()
    mails = smtp_server.wait_for(order.buyer.email, count=2)
    assert [m.subject for m in mails].count("We refunded DKK 1,000.00") == 1
    assert StaffAccess.objects.filter(
        object_id=str(order.pk), place="commerce:staff_order", user=order.buyer
    ).exists()


def test_r15_partial_refund_marks_the_order_partly_refunded_with_a_credit_note(token):
    order = paid_order(token)
    staff = staff_client(Role.OWNER)
    url = reverse("commerce_staff:refund", args=[order.public_id])

    staff.post(url, {"amount": "250.00", "request_key": str(uuid.uuid4()), "confirm": "1"})

    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    (note,) = credit_notes(order)
    assert (note.total_minor, note.credited_number) == (
        -25000,
        order.invoices.get(kind="invoice").number,
    )
    assert at_provider(order).refunded_minor == 25000
    assert enrolment_of(order).access_until is None  # access stays
    assert withdrawal.refundable_minor(order) == 75000


def test_r15_refund_of_more_than_is_left_is_refused_and_changes_nothing(token):
    order = paid_order(token)
    staff = staff_client(Role.OWNER)

    response = staff.post(
        reverse("commerce_staff:refund", args=[order.public_id]),
        {"amount": "1000.01", "request_key": str(uuid.uuid4()), "confirm": "1"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "That is more than what is left to refund on this order."
    ]
    assert Refund.objects.filter(order=order).count() == 0
    assert at_provider(order).refunded_minor == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_r15_a_learner_cannot_refund_and_nothing_changes(token):
    order = paid_order(token)

    with pytest.raises(CommerceError) as refused:
        refunds.refund_order(order=order, amount_minor=100, reason="staff", acting_user=order.buyer)

    assert refused.value.code == "not_allowed"
    assert Refund.objects.count() == 0
    assert signed_in(order.buyer).get(reverse("commerce_staff:orders")).status_code == 403


def test_r15_staff_order_list_finds_by_email_and_logs_the_view(token):
    order = paid_order(token)
    staff = staff_client(Role.SUPPORT)

    page = staff.get(reverse("commerce_staff:orders"), {"q": f"buyer-{token}", "status": "paid"})

    assert page.status_code == 200
    assert str(order.public_id) in page.content.decode()
    assert (
        StaffAccess.objects.filter(
            object_id=str(order.pk), place="commerce:staff_orders", user=order.buyer
        ).count()
        == 1
    )


def test_r15_refund_at_the_providers_dashboard_is_recorded_once(token):
    order = paid_order(token)

    SandboxProvider().refund(order.provider_payment_ref, 30000, idempotency_key="dashboard-1")
    again = refunds.sync_refund(provider="test", payment_ref=order.provider_payment_ref)

    assert again == []
    (refund,) = Refund.objects.filter(order=order)
    assert (refund.reason, refund.amount_minor, refund.status) == (
        Refund.Reason.PROVIDER,
        30000,
        Refund.Status.SUCCEEDED,
    )
    assert len(credit_notes(order)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED


# --- Withdrawal ---------------------------------------------------------------------------------


def test_r15_digital_content_without_waiver_is_withdrawn_in_full(token, smtp_server):
    order = paid_order(token)
    client = signed_in(order.buyer)
    url = reverse("commerce_account:withdraw", args=[order.public_id])

    explained = client.get(url)
    response = client.post(url)
    client.post(url)  # a double click

    assert "the full amount" in explained.content.decode()
    assert response.status_code == 302
    (refund,) = Refund.objects.filter(order=order)
    assert (refund.reason, refund.amount_minor) == (Refund.Reason.WITHDRAWAL, 100000)
    assert at_provider(order).refunded_minor == 100000
    order.refresh_from_db()
    assert order.withdrawn_at is not None
    assert order.status == Order.Status.REFUNDED
    access_until = enrolment_of(order).access_until
    assert access_until is not None and access_until <= timezone.now()
    mails = smtp_server.wait_for(order.buyer.email, count=2)
    assert [m.subject for m in mails].count("We confirm your withdrawal from the contract") == 1


def test_r15_digital_content_with_a_recorded_waiver_is_refused_saying_why(token):
    order = paid_order(token)
    WithdrawalWaiverFactory(
        order=order, buyer=order.buyer, kind=WithdrawalWaiver.Kind.DIGITAL_CONTENT
    )
    client = signed_in(order.buyer)
    url = reverse("commerce_account:withdraw", args=[order.public_id])

    page = client.get(url).content.decode()
    client.post(url)

    assert "you asked for access to the digital content at once" in page
    assert Refund.objects.filter(order=order).count() == 0
    order.refresh_from_db()
    assert (order.withdrawn_at, order.status) == (None, Order.Status.PAID)
    assert enrolment_of(order).access_until is None


def test_r15_withdrawal_after_14_days_is_refused(token):
    order = paid_order(token)
    # Beyond any weekend or holiday that could move the period's last day.
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - dt.timedelta(days=30))
    order.refresh_from_db()

    with pytest.raises(CommerceError) as refused:
        refunds.withdraw_order(order=order, acting_user=order.buyer)

    assert refused.value.code == "withdrawal_period_over"
    assert Refund.objects.filter(order=order).count() == 0


COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def paid_in_copenhagen(token: str, paid_at: dt.datetime) -> Order:
    order = paid_order(token)
    order.buyer.time_zone = "Europe/Copenhagen"
    order.buyer.save(update_fields=["time_zone"])
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at)
    order.refresh_from_db()
    return order


def test_r15_the_withdrawal_period_ends_at_midnight_after_the_14th_day_of_the_consumer(token):
    """R15 (CRD Art. 9, Reg. 1182/71 Art. 3): paid at 23:50 on Monday 2 March, Copenhagen time,
    the day of payment does not count; the 14th day is Monday 16 March and runs to midnight."""
    order = paid_in_copenhagen(token, dt.datetime(2026, 3, 2, 23, 50, tzinfo=COPENHAGEN))
    last_minute = dt.datetime(2026, 3, 16, 23, 59, tzinfo=COPENHAGEN)
    first_minute_after = dt.datetime(2026, 3, 17, 0, 0, tzinfo=COPENHAGEN)

    inside = withdrawal.assess_withdrawal(order, now=last_minute)
    outside = withdrawal.assess_withdrawal(order, now=first_minute_after)

    assert (inside.allowed, inside.amount_minor, inside.last_day) == (
        True,
        100000,
        dt.date(2026, 3, 16),
    )
    assert inside.deadline == first_minute_after
    assert outside.refusal is not None
    assert outside.refusal.code == "withdrawal_period_over"
    assert "ended on 16 March 2026" in outside.refusal.message

    with (
        time_machine.travel(first_minute_after, tick=False),
        pytest.raises(CommerceError) as refused,
    ):
        refunds.withdraw_order(order=order, acting_user=order.buyer)
    assert refused.value.code == "withdrawal_period_over"
    assert Refund.objects.filter(order=order).count() == 0
    order.refresh_from_db()
    assert (order.withdrawn_at, order.status) == (None, Order.Status.PAID)

    with time_machine.travel(last_minute, tick=False):
        refund = refunds.withdraw_order(order=order, acting_user=order.buyer)
    assert (refund.reason, refund.amount_minor, refund.status) == (
        Refund.Reason.WITHDRAWAL,
        100000,
        Refund.Status.SUCCEEDED,
    )


def test_r15_a_last_day_on_a_holiday_or_weekend_moves_to_the_next_working_day(token):
    """R15 (Reg. 1182/71 Art. 3(4)): paid on Friday 20 March 2026 at 23:50 in Copenhagen, the
    14th day is Good Friday; Easter Saturday, Sunday and Monday follow, so the period runs to
    the end of Tuesday 7 April."""
    order = paid_in_copenhagen(token, dt.datetime(2026, 3, 20, 23, 50, tzinfo=COPENHAGEN))

    on_easter_monday = withdrawal.assess_withdrawal(
        order, now=dt.datetime(2026, 4, 6, 12, 0, tzinfo=COPENHAGEN)
    )
    on_wednesday = withdrawal.assess_withdrawal(
        order, now=dt.datetime(2026, 4, 8, 0, 0, tzinfo=COPENHAGEN)
    )

    assert (on_easter_monday.allowed, on_easter_monday.last_day) == (True, dt.date(2026, 4, 7))
    assert on_wednesday.refusal is not None
    assert on_wednesday.refusal.code == "withdrawal_period_over"


def event_product(token: str, *, starts_in: dt.timedelta, lasts: dt.timedelta):
    starts = timezone.now() + starts_in
    return ProductFactory(
        title=f"Workshop {token}",
        kind="event",
        event_starts_at=starts,
        event_ends_at=starts + lasts,
    )


def test_r15_event_ticket_before_the_event_is_refunded_in_full(token):
    product = event_product(token, starts_in=dt.timedelta(days=3), lasts=dt.timedelta(hours=3))
    order = paid_order(token, product=product)

    refund = refunds.withdraw_order(order=order, acting_user=order.buyer)

    assert (refund.amount_minor, refund.status) == (100000, Refund.Status.SUCCEEDED)


def test_r15_event_ticket_after_the_event_is_refused(token):
    product = event_product(token, starts_in=dt.timedelta(days=3), lasts=dt.timedelta(hours=3))
    order = paid_order(token, product=product)
    product.event_starts_at = timezone.now() - dt.timedelta(days=2)
    product.event_ends_at = timezone.now() - dt.timedelta(days=1)
    product.save()

    with pytest.raises(CommerceError) as refused:
        refunds.withdraw_order(order=order, acting_user=order.buyer)

    assert refused.value.code == "withdrawal_event_over"
    assert "fully performed" in refused.value.message
    assert Refund.objects.filter(order=order).count() == 0


def test_r15_subscription_started_early_owes_the_days_used_and_ends_at_once(token):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)
    period = subscription.current_period_end - order.paid_at
    # Bought a quarter-period ago with the paid period unchanged: the first period runs five
    # quarters, one of them used, so four fifths come back.
    started = timezone.now() - period / 4
    Order.objects.filter(pk=order.pk).update(paid_at=started, immediate_start_requested_at=started)
    order.refresh_from_db()

    refund = refunds.withdraw_order(order=order, acting_user=order.buyer)

    assert 79000 <= refund.amount_minor <= 81000
    assert at_provider(order).refunded_minor == refund.amount_minor
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ENDED
    assert SandboxSubscription.objects.get(subscription_ref=subscription.provider_ref).status == (
        "ended"
    )
    access_until = enrolment_of(order).access_until
    assert access_until is not None and access_until <= timezone.now()
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert order.withdrawn_at is not None


def test_r15_subscription_not_started_early_is_refunded_in_full(token):
    order = paid_order(token, subscription=True)

    refund = refunds.withdraw_order(order=order, acting_user=order.buyer)

    assert refund.amount_minor == 100000
    assert subscription_of(order).status == Subscription.Status.ENDED


def test_r15_someone_else_cannot_withdraw_from_an_order(token):
    order = paid_order(token)
    stranger = paid_order(f"{token}x").buyer

    response = signed_in(stranger).post(
        reverse("commerce_account:withdraw", args=[order.public_id])
    )

    assert response.status_code == 404
    assert Refund.objects.filter(order=order).count() == 0


def test_r15_my_orders_lists_orders_with_invoices_and_the_withdraw_button(token):
    order = paid_order(token)

    page = signed_in(order.buyer).get(reverse("commerce_account:orders")).content.decode()

    assert order.lines.get().description in page
    assert reverse("commerce_account:withdraw", args=[order.public_id]) in page
    assert order.invoices.get().number in page


# --- The staff audit trail (R35) ----------------------------------------------------------------


def test_r35_a_staff_refund_is_audited_with_its_amount_and_a_refused_one_leaves_no_row(token):
    order = paid_order(token)
    support = StaffFactory(role=Role.SUPPORT)

    with pytest.raises(CommerceError) as too_much:
        refunds.refund_order(order=order, amount_minor=100001, reason="staff", acting_user=support)
    refund = refunds.refund_order(
        order=order, amount_minor=25000, reason="staff", acting_user=support
    )

    assert too_much.value.code == "refund_too_much"
    assert list(Refund.objects.filter(order=order)) == [refund]
    assert audit_trail() == [(support.pk, "refund", str(refund.pk), "Refund of 250.00 DKK issued")]


def test_r35_a_withdrawal_staff_record_for_the_buyer_is_audited_the_buyers_own_is_not(token):
    own = paid_order(token)
    for_buyer = paid_order(f"{token}b")
    support = StaffFactory(role=Role.SUPPORT)

    refunds.withdraw_order(order=own, acting_user=own.buyer)
    refund = refunds.withdraw_order(order=for_buyer, acting_user=support)

    assert audit_trail() == [
        (
            support.pk,
            "refund",
            str(refund.pk),
            "Withdrawal from the contract recorded for the buyer",
        )
    ]
