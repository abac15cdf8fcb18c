"""R19, R20: how long a contact thread is kept, as the retention sweep reads it.

Every check goes through the declaration's own `expired(as_of)`, the queryset the sweep
deletes, a day before and a day after the computed date.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.contact import retention, services
from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.privacy.declarations import After, Event, add_years
from coursekeeper.privacy.models import StaffAccess
from coursekeeper.privacy.testing import declaration_of
from coursekeeper.privacy.texts import retention_text

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def expired_pks(model, as_of: dt.datetime) -> set[int]:
    return set(declaration_of(model).expired(as_of).values_list("pk", flat=True))


def write(token: str, text: str = "Hello") -> ContactEntry:
    return services.receive_message(
        name=f"Rita {token}", email=f"rita-{token}@example.org", message=text
    )


def assert_kept_until(contact: Contact, keep_until: dt.datetime) -> None:
    """The thread and its entries are not expired a day before `keep_until`, and are after."""
    contact.refresh_from_db()
    assert contact.keep_until == keep_until
    entries = set(contact.entries.values_list("pk", flat=True))
    assert contact.pk not in expired_pks(Contact, keep_until - DAY)
    assert entries.isdisjoint(expired_pks(ContactEntry, keep_until - DAY))
    assert contact.pk in expired_pks(Contact, keep_until + DAY)
    assert entries <= expired_pks(ContactEntry, keep_until + DAY)


def test_r19_a_contact_form_thread_expires_two_years_after_the_last_contact(token):
    with time_machine.travel(START, tick=False):
        entry = write(token)

    assert entry.at == START
    assert_kept_until(entry.contact, dt.datetime(2028, 3, 2, 10, 0, tzinfo=dt.UTC))


def test_r19_our_email_reply_keeps_the_two_years_counted_from_it(token):
    staff = StaffFactory()
    with time_machine.travel(START, tick=False):
        entry = write(token)
    with time_machine.travel(START + 3 * DAY, tick=False):
        services.reply_by_email(
            acting_user=staff, contact_id=entry.contact_id, subject="Re", text="Next week."
        )

    assert_kept_until(entry.contact, add_years(START + 3 * DAY, 2))


def test_r19_a_logged_phone_call_keeps_the_thread_five_years_after_the_last_contact(token):
    staff = StaffFactory()
    with time_machine.travel(START, tick=False):
        entry = write(token)
    with time_machine.travel(START + 10 * DAY, tick=False):
        services.log_contact(
            acting_user=staff,
            contact_id=entry.contact_id,
            channel="phone",
            direction="in",
            at=START + 9 * DAY,
            text="Called about the invoice.",
        )

    contact = Contact.objects.get(pk=entry.contact_id)
    assert contact.years_after_last_contact == 5
    assert_kept_until(contact, dt.datetime(2031, 3, 11, 10, 0, tzinfo=dt.UTC))


def test_r19_a_new_message_moves_the_date(token):
    with time_machine.travel(START, tick=False):
        first = write(token)
    later = START + 400 * DAY
    with time_machine.travel(later, tick=False):
        write(token, "One more question.")

    contact = first.contact
    assert not expired_pks(Contact, add_years(START, 2) + DAY)
    assert_kept_until(contact, add_years(later, 2))
    assert contact.first_contact_at == START


def test_r20_a_customers_thread_is_kept_until_five_years_after_the_relationship_ends(token):
    email = f"rita-{token}@example.org"
    with time_machine.travel(START, tick=False):
        entry = write(token)
    # A year later the visitor signs up and enrols: a customer relationship follows.
    with time_machine.travel(START + 365 * DAY, tick=False):
        learner = UserFactory(email=email)
        EnrollmentFactory(learner=learner)
    last_sign_in = START + 500 * DAY
    User.objects.filter(pk=learner.pk).update(last_login=last_sign_in)
    contact = entry.contact
    assert retention.is_customer(email) is True
    assert_kept_until(contact, add_years(START, 2))  # the refresh has not run yet

    call_command("contact_refresh_retention", verbosity=0)

    contact.refresh_from_db()
    assert contact.user_id == learner.pk
    assert_kept_until(contact, add_years(last_sign_in, 5))
    # While the person keeps coming back, the date moves with them: the end R20 counts from
    # (privacy.relationship), the day the account itself would go.
    User.objects.filter(pk=learner.pk).update(last_login=last_sign_in + 30 * DAY)
    call_command("contact_refresh_retention", verbosity=0)
    assert_kept_until(contact, add_years(last_sign_in + 30 * DAY, 5))


def test_r20_a_later_contact_still_wins_over_an_older_relationship(token):
    with time_machine.travel(START - 2000 * DAY, tick=False):
        learner = UserFactory(email=f"rita-{token}@example.org")
        EnrollmentFactory(learner=learner)
    with time_machine.travel(START, tick=False):
        entry = write(token)

    # Linked at once: the account already existed.
    assert entry.contact.user_id == learner.pk
    assert_kept_until(entry.contact, add_years(START, 2))


def test_r20_an_account_without_enrolments_is_not_a_customer(token):
    UserFactory(email=f"rita-{token}@example.org")
    with time_machine.travel(START, tick=False):
        entry = write(token)

    assert retention.is_customer(f"rita-{token}@example.org") is False
    assert_kept_until(entry.contact, add_years(START, 2))


def test_r19_the_refresh_links_threads_once_and_a_rerun_changes_nothing(token):
    with time_machine.travel(START, tick=False):
        entry = write(token)
    learner = UserFactory(email=f"rita-{token}@example.org")
    EnrollmentFactory(learner=learner)
    other = write(f"{token}x")  # no account: left as it is

    first = retention.refresh_all(batch_size=1)
    second = retention.refresh_all(batch_size=1)

    assert (first.linked, first.changed) == (1, 1)
    assert (second.linked, second.changed) == (0, 0)
    other.contact.refresh_from_db()
    assert (other.contact.user_id, other.contact.keep_until) == (None, add_years(other.at, 2))
    entry.contact.refresh_from_db()
    assert entry.contact.user_id == learner.pk


def test_r35_a_look_at_a_thread_is_kept_three_years_even_after_the_thread(token):
    staff = StaffFactory()
    with time_machine.travel(START, tick=False):
        entry = write(token)
        services.open_contact(acting_user=staff, contact_id=entry.contact_id)
    view = StaffAccess.objects.get()
    entry.contact.delete()

    assert view.pk not in expired_pks(StaffAccess, add_years(START, 3) - DAY)
    assert view.pk in expired_pks(StaffAccess, add_years(START, 3) + DAY)


def test_r19_r20_the_policy_explains_the_computed_date_in_the_readers_language():
    declared = declaration_of(Contact).retention

    assert isinstance(declared, After)
    assert (declared.event, declared.column, declared.years, declared.days) == (
        Event.EXPIRED,
        "keep_until",
        0,
        0,
    )
    assert retention_text(declared) == (
        "until 2 years after your last contact with us (5 years if we also spoke by phone or "
        "email); if you become our customer, until 5 years after the customer relationship ends"
    )
    assert retention_text(declaration_of(ContactEntry).retention) == retention_text(declared)
    with translation.override("da"):
        assert isinstance(retention_text(declared), str)


def test_r33_an_after_rule_without_an_explanation_reads_as_before():
    plain = After(Event.EXPIRED, column="expires_at", days=0)
    explained = After(Event.EXPIRED, column="expires_at", days=0, explanation="until we say so")

    assert retention_text(plain) == "until it expires"
    assert retention_text(explained) == "until we say so"
    # The explanation is words only: expiry is the same column comparison.
    now = timezone.now()
    assert plain.expired_q(now) == explained.expired_q(now)
    assert plain == explained


def test_r19_r33_the_sweep_deletes_an_expired_thread_with_its_entries_and_view_log_only(token):
    from coursekeeper.privacy.sweep import run_sweep

    staff = StaffFactory()
    with time_machine.travel(START, tick=False):
        old = write(f"{token}old")
        services.open_contact(acting_user=staff, contact_id=old.contact_id)
    with time_machine.travel(START + 365 * DAY, tick=False):
        kept = write(f"{token}new")
        services.open_contact(acting_user=staff, contact_id=kept.contact_id)

    report = run_sweep(as_of=add_years(START, 2) + DAY)

    assert report.failed == []
    assert list(Contact.objects.values_list("pk", flat=True)) == [kept.contact_id]
    assert list(ContactEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    # Who looked at the swept thread is still told for three years from the look (R35).
    assert sorted(StaffAccess.objects.values_list("object_id", flat=True)) == sorted(
        [str(old.contact_id), str(kept.contact_id)]
    )
