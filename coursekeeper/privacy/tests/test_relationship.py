"""R20: customer data is kept 5 years after the customer relationship ends, then erased after a
warning, keeping what a law holds longer.

The clock runs at chosen moments (time-machine), a day before and a day after each boundary:
the warning (the period's end less settings.RELATIONSHIP_WARNING_DAYS) and the erasure (the date
the warning gave). The period is the provider's rule pack's (Denmark's here: 5 years).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.factories import PASSWORD, StaffFactory, UserFactory
from coursekeeper.commerce.factories import InvoiceFactory, OrderFactory, SubscriptionFactory
from coursekeeper.commerce.models import Invoice, Order, Subscription
from coursekeeper.jobs.registry import periodic_job
from coursekeeper.jobs.tasks import run_periodic_job
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy import policy
from coursekeeper.privacy.declarations import add_years
from coursekeeper.privacy.factories import RestrictionFactory
from coursekeeper.privacy.models import ErasureJob, ProviderSettings, RelationshipWarning
from coursekeeper.privacy.register import record_of_processing
from coursekeeper.privacy.relationship.selectors import ended_before, relationship_ended_at
from coursekeeper.privacy.relationship.services import run_relationship_clock
from coursekeeper.privacy.rules import RULE_PACKS
from coursekeeper.privacy.testing import declaration_of
from coursekeeper.privacy.tests.test_pages import PROVIDER
from coursekeeper.privacy.texts import retention_text

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
LEAD = dt.timedelta(days=30)
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
User = get_user_model()


def person(token: str, *, signed_in_at: dt.datetime = START, **fields):
    """Return an account made a year before `signed_in_at`, last signed in then."""
    user = UserFactory(token=token, **fields)
    User.objects.filter(pk=user.pk).update(
        date_joined=signed_in_at - 365 * DAY, last_login=signed_in_at
    )
    return user


def clock_at(moment: dt.datetime, capture=None):
    """Run the daily clock at `moment`; with `capture`, also run the erasure jobs it queues."""
    with time_machine.travel(moment, tick=False):
        if capture is None:
            return run_relationship_clock()
        with capture(execute=True):
            return run_relationship_clock()


def warnings_to(user) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(recipient=user, template="privacy/relationship_warning")
    )


def keep_link(message: OutboxMessage) -> str:
    found = re.search(r"https?://\S+/privacy/keep/\S+/", message.body_text)
    assert found is not None, message.body_text
    return found.group(0)


def active(user) -> bool:
    return User.objects.filter(pk=user.pk, is_active=True).exists()


def test_r20_a_free_accounts_clock_starts_at_its_last_sign_in(token):
    user = person(token)
    period_ends = add_years(START, 5)
    assert relationship_ended_at(user.pk) == START

    assert clock_at(period_ends - LEAD - DAY).warned == 0
    assert warnings_to(user) == []

    warned_at = period_ends - LEAD + dt.timedelta(hours=1)
    assert clock_at(warned_at).warned == 1
    (message,) = warnings_to(user)
    warning = RelationshipWarning.objects.get(user=user)
    # The date the person is given: the period's end, or the lead time from the warning.
    assert warning.erase_on == warned_at + LEAD == period_ends + dt.timedelta(hours=1)
    assert message.subject == "Your account will be erased on 2 March 2031"
    assert "ended on 2 March 2026" in message.body_text
    assert "sign in before 2 March 2031" in message.body_text
    assert keep_link(message) in message.body_text

    assert clock_at(warning.erase_on - DAY).erased == 0
    assert active(user)

    assert clock_at(warning.erase_on + DAY).erased == 1
    assert not active(user)
    assert ErasureJob.objects.filter(user=user).count() == 1


def test_r20_a_paying_customers_clock_starts_when_the_paid_access_ends(token):
    user = person(token)
    access_ends = START + 400 * DAY
    SubscriptionFactory(user=user, current_period_end=access_ends, status="ended")
    EnrollmentFactory(learner=user, access_until=START + 200 * DAY)

    assert relationship_ended_at(user.pk) == access_ends
    # When a free account would be warned, the customer is not.
    assert clock_at(add_years(START, 5) - LEAD + DAY).warned == 0
    assert clock_at(add_years(access_ends, 5) - LEAD - DAY).warned == 0
    assert clock_at(add_years(access_ends, 5) - LEAD + DAY).warned == 1
    assert "ended on 6 April 2027" in warnings_to(user)[0].body_text


def test_r20_a_purchase_and_paid_access_to_a_course_keep_the_relationship_going(token):
    user = person(token)
    OrderFactory(buyer=user, created_at=START + 10 * DAY, paid_at=START + 10 * DAY)
    assert relationship_ended_at(user.pk) == START + 10 * DAY

    EnrollmentFactory(learner=user, access_until=START + 90 * DAY)
    assert relationship_ended_at(user.pk) == START + 90 * DAY


def test_r20_a_rerun_never_warns_or_erases_twice(token, django_capture_on_commit_callbacks):
    user = person(token)
    warned_at = add_years(START, 5) - LEAD + DAY
    clock_at(warned_at)

    assert clock_at(warned_at).warned == 0
    assert len(warnings_to(user)) == 1

    erase_at = RelationshipWarning.objects.get(user=user).erase_on + DAY
    assert clock_at(erase_at, django_capture_on_commit_callbacks).erased == 1
    assert clock_at(erase_at, django_capture_on_commit_callbacks).erased == 0
    assert clock_at(erase_at + 40 * DAY).warned == 0
    assert ErasureJob.objects.count() == 1
    assert not User.objects.filter(pk=user.pk).exists()


def test_r20_erasure_keeps_the_invoice_the_bookkeeping_law_holds(
    token, django_capture_on_commit_callbacks
):
    user = person(token)
    order = OrderFactory(buyer=user, created_at=START, paid_at=START)
    invoice = InvoiceFactory(buyer=user, order=order, release_at=add_years(START, 6))
    SubscriptionFactory(user=user, order=order, current_period_end=START, status="ended")
    clock_at(add_years(START, 5) - LEAD + DAY)
    erase_at = RelationshipWarning.objects.get(user=user).erase_on + DAY

    clock_at(erase_at, django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Order.objects.filter(pk=order.pk).exists()
    assert not Subscription.objects.filter(order_id=order.pk).exists()
    assert not RelationshipWarning.objects.filter(user_id=user.pk).exists()
    held = Invoice.objects.get(pk=invoice.pk)
    assert (held.buyer_id, held.order_id, held.buyer_email) == (None, None, user.email)
    job = ErasureJob.objects.get()
    assert (job.status, job.outcome["held"]) == ("done", {"commerce.Invoice": 1})


def test_r20_signing_in_after_the_warning_keeps_the_account(token):
    user = person(token)
    clock_at(add_years(START, 5) - LEAD + DAY)
    warning = RelationshipWarning.objects.get(user=user)
    signed_in_at = warning.erase_on - 10 * DAY

    with time_machine.travel(signed_in_at, tick=False):
        signed_in = Client().post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
    assert signed_in.status_code == 302

    assert relationship_ended_at(user.pk) == signed_in_at
    link = keep_link(warnings_to(user)[0])
    page = Client().get(link[link.index("/privacy/keep/") :]).content.decode()
    assert "Your account is kept." in page and "Keep my account</button>" not in page
    assert clock_at(warning.erase_on + DAY).erased == 0
    assert active(user)
    # The clock starts again from the sign-in.
    assert clock_at(add_years(signed_in_at, 5) - LEAD - DAY).warned == 0
    assert clock_at(add_years(signed_in_at, 5) - LEAD + DAY).warned == 1


def test_r20_the_link_keeps_the_account_with_one_button(token):
    user = person(token)
    clock_at(add_years(START, 5) - LEAD + DAY)
    warning = RelationshipWarning.objects.get(user=user)
    link = keep_link(warnings_to(user)[0])
    path = link[link.index("/privacy/keep/") :]
    browser = Client()

    shown = browser.get(path)
    assert shown.status_code == 200
    assert "3 March 2031" in shown.content.decode()
    warning.refresh_from_db()
    assert warning.kept_at is None  # a link scanner opening the link keeps nothing

    kept_at = warning.erase_on - 3 * DAY
    with time_machine.travel(kept_at, tick=False):
        assert browser.post(path).status_code == 200

    warning.refresh_from_db()
    assert warning.kept_at == kept_at
    assert relationship_ended_at(user.pk) == kept_at
    assert clock_at(warning.erase_on + DAY).erased == 0
    assert active(user)


def test_r20_a_link_for_an_account_being_erased_keeps_nothing(token):
    user = person(token)
    clock_at(add_years(START, 5) - LEAD + DAY)
    path = keep_link(warnings_to(user)[0]).split("example.org", 1)[-1]
    link_path = path[path.index("/privacy/keep/") :]
    clock_at(RelationshipWarning.objects.get(user=user).erase_on + DAY)

    refused = Client().post(link_path)

    assert refused.status_code == 400
    assert "no longer works" in refused.content.decode()
    assert RelationshipWarning.objects.get(user=user).kept_at is None
    assert Client().post("/privacy/keep/no-such-token/").status_code == 400


def test_r20_a_restricted_person_is_neither_warned_nor_erased(token):
    user = person(token)
    RestrictionFactory(user=user, email=user.email)

    assert clock_at(add_years(START, 5) - LEAD + DAY).warned == 0
    assert clock_at(add_years(START, 6)).erased == 0

    assert (warnings_to(user), RelationshipWarning.objects.count()) == ([], 0)
    assert active(user)


def test_r20_staff_accounts_are_not_on_the_customer_clock(token):
    staff = StaffFactory(token=token)
    User.objects.filter(pk=staff.pk).update(last_login=START, date_joined=START)

    assert clock_at(add_years(START, 6)).warned == 0
    assert warnings_to(staff) == []


def test_r20_the_clock_selects_in_one_query_whatever_the_number_of_accounts(
    token, django_assert_num_queries
):
    for index in range(5):
        user = person(f"{token}{index}", signed_in_at=START - index * DAY)
        SubscriptionFactory(user=user, current_period_end=START - 2 * DAY, status="ended")
        EnrollmentFactory(learner=user, access_until=START - 3 * DAY)
    person(f"{token}f", signed_in_at=START + 300 * DAY)

    with django_assert_num_queries(1):
        ended = list(ended_before(START + DAY).values_list("relationship_ended_at", flat=True))

    # The latest of each account's sign-in and its paid access's end.
    assert sorted(ended) == [START - 2 * DAY] * 3 + [START - DAY, START]


def test_r20_a_sale_to_an_account_waits_for_the_relationship_an_abandoned_checkout_does_not(
    token,
):
    user = person(token)
    sale = OrderFactory(buyer=user, created_at=START, paid_at=START, keep_until=None)
    abandoned = OrderFactory(
        buyer=user,
        status=Order.Status.EXPIRED,
        created_at=START,
        paid_at=None,
        keep_until=START + 30 * DAY,
    )
    orders = declaration_of(Order)

    assert set(orders.expired(START + 29 * DAY).values_list("pk", flat=True)) == set()
    assert set(orders.expired(START + 31 * DAY).values_list("pk", flat=True)) == {abandoned.pk}
    # Years after the purchase, the sale is still the customer's while the account is.
    assert sale.pk not in set(orders.expired(add_years(START, 9)).values_list("pk", flat=True))


def test_r20_the_warning_is_sent_in_the_persons_language(token):
    user = person(token, language="da")

    clock_at(add_years(START, 5) - LEAD + DAY)

    (message,) = warnings_to(user)
    assert message.language == "da"
    assert "3. marts 2031" in message.subject
    assert timezone.is_aware(RelationshipWarning.objects.get(user=user).erase_on)


def test_r20_the_scheduler_runs_the_clock_daily_through_its_command(token):
    user = person(token)
    job = periodic_job("privacy_relationship_clock")

    with time_machine.travel(add_years(START, 5) - LEAD + DAY, tick=False):
        run_periodic_job.call(job.name)

    assert (job.interval, job.command) == (DAY, "privacy_relationship_clock")
    assert len(warnings_to(user)) == 1


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r20_the_policy_and_the_register_say_the_period_the_clock_counts(
    language, token, monkeypatch
):
    """Change the rule pack's period: the policy, the register and the clock all follow it."""
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    pack = RULE_PACKS["DK"]
    monkeypatch.setitem(
        pack, "customer_relationship", dataclasses.replace(pack["customer_relationship"], years=7)
    )
    user = person(token)

    content = policy.current_content()
    text = html.unescape(policy.render_policy(content, language))
    with translation.override(language):
        said = retention_text(declaration_of(User).retention)
        registered = {
            entry.text
            for activity in record_of_processing()
            for entry in activity.retention
            if activity.code == "account"
        }

    account = next(p for p in content["purposes"] if p["code"] == "account")
    rule = next(r["rule"] for r in account["retention"] if r["data"] == "accounts.User")
    assert (rule["kind"], rule["years"]) == ("after_relationship", 7)
    assert said[:1].upper() + said[1:] in text
    assert said in registered
    assert "7" in said and "5" not in said
    if language == "en":
        assert said == (
            "7 years after the customer relationship ends (your last sign-in, purchase or "
            "paid access, whichever is latest)"
        )
    # The clock counts the same 7 years: no warning where 5 would have given one.
    assert clock_at(add_years(START, 5) - LEAD + DAY).warned == 0
    assert clock_at(add_years(START, 7) - LEAD + DAY).warned == 1
    assert "for 7 years after the relationship ends" in warnings_to(user)[0].body_text
