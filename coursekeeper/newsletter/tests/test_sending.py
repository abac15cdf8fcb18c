"""R17, R18: staff write a newsletter in da/de/en and send it through the outbox to the people who
consented; every email carries a visible unsubscribe link and the RFC 8058 headers; nothing is
lost and nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.messaging.services import deliver_due_messages
from coursekeeper.newsletter import services
from coursekeeper.newsletter.dispatch import run_dispatch, run_due_dispatches, start_sending
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.factories import NewsletterFactory
from coursekeeper.newsletter.models import Newsletter, NewsletterDelivery, NewsletterDispatch
from coursekeeper.newsletter.privacy import NEWSLETTER
from coursekeeper.newsletter.tests.conftest import free_port, subscribe
from coursekeeper.privacy import consents
from coursekeeper.privacy.factories import ErasureJobFactory, RestrictionFactory
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db(transaction=True)

UNSUBSCRIBE_HEADER = re.compile(r"<(https://school\.example/newsletter/unsubscribe/[^/>]+/)>")

TEXTS = {
    "subject_da": "Nye kurser i marts",
    "body_da": "Tre nye kurser starter i marts.",
    "subject_de": "",
    "body_de": "",
    "subject_en": "New courses in March",
    "body_en": "Three new courses start in March.",
}


def test_r17_r18_a_newsletter_to_three_subscribers_one_withdrawn_one_restricted_reaches_one(
    smtp_server, site_url, token
):
    reader = f"reader-{token}@example.org"
    withdrawn = f"withdrawn-{token}@example.org"
    restricted = f"restricted-{token}@example.org"
    subscribe(reader, language="da")
    subscribe(withdrawn)
    subscribe(restricted)
    consents.withdraw_consent(person=Person.for_email(withdrawn), purpose=NEWSLETTER.code)
    RestrictionFactory(user=None, email=restricted)
    staff = staff_client(Role.SUPPORT)

    written = staff.post(reverse("newsletter:staff_new"), TEXTS)
    newsletter = Newsletter.objects.get()
    assert written.status_code == 302
    preview = staff.get(reverse("newsletter:staff_detail", args=[newsletter.pk]))
    assert "Three new courses start in March." in preview.content.decode()
    assert "Unsubscribe with one click:" in preview.content.decode()
    confirm_step = staff.get(reverse("newsletter:staff_send", args=[newsletter.pk]))
    assert confirm_step.status_code == 200
    assert Newsletter.objects.get().status == Newsletter.Status.DRAFT  # nothing sent yet
    sent = staff.post(reverse("newsletter:staff_send", args=[newsletter.pk]), {})

    assert sent.status_code == 302
    (mail,) = smtp_server.wait_for(reader)
    assert [r for m in smtp_server.messages for r in m.recipients] == [reader]
    assert mail.subject == "Nye kurser i marts"  # the subscriber's own language
    header = UNSUBSCRIBE_HEADER.fullmatch(mail.message["List-Unsubscribe"].strip())
    assert header is not None
    unsubscribe_link = header.group(1)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Tre nye kurser starter i marts." in mail.text
    assert unsubscribe_link in mail.text  # visible in the text as well
    # The withdrawn consent is no longer a subscriber; the restricted one is asked and left out.
    dispatch = NewsletterDispatch.objects.get()
    assert (dispatch.status, dispatch.total, dispatch.queued_count, dispatch.skipped_count) == (
        JobStatus.DONE,
        2,
        1,
        1,
    )
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT

    progress = staff.get(reverse("newsletter:staff_detail", args=[newsletter.pk]))
    page = progress.content.decode()
    assert '<progress id="newsletter-progress" max="100" value="100"' in page
    assert "2 of 2 recipients handled" in page
    assert "Delivered: 1. Waiting or retrying: 0. Refused by the mail server: 0." in page
    assert 'http-equiv="refresh"' not in page  # the page stops reloading once done

    # The header's link works in one step, without signing in.
    answer = Client(enforce_csrf_checks=True).post(
        unsubscribe_link.removeprefix(site_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert not may_process(Person.for_email(reader), NEWSLETTER)


def test_r18_the_page_reloads_itself_while_the_emails_are_being_queued(site_url):
    newsletter = NewsletterFactory(status=Newsletter.Status.SENDING)
    NewsletterDispatch.objects.create(newsletter=newsletter, total=10, queued_count=4)
    staff = staff_client(Role.OWNER)

    page = staff.get(reverse("newsletter:staff_detail", args=[newsletter.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="5">' in page
    assert '<progress id="newsletter-progress" max="100" value="40"' in page
    assert "4 of 10 recipients handled" in page


def test_r18_a_rerun_of_the_dispatch_queues_nothing_twice(smtp_server, site_url, token):
    first, second, late = (f"{name}-{token}@example.org" for name in ("first", "second", "late"))
    subscribe(first)
    subscribe(second)
    newsletter = NewsletterFactory()

    start_sending(acting_user=_staff_user(Role.OWNER), newsletter_id=newsletter.pk)
    smtp_server.wait_for(first)
    smtp_server.wait_for(second)
    # The worker died after queueing but before its "done" landed; meanwhile one more person
    # subscribed. The lease runs out and the safety net runs the dispatch again.
    NewsletterDispatch.objects.update(
        status=JobStatus.RUNNING, claimed_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    Newsletter.objects.update(status=Newsletter.Status.SENDING)
    subscribe(late)

    assert run_due_dispatches() == 1
    smtp_server.wait_for(late)

    recipients = sorted(r for m in smtp_server.messages for r in m.recipients)
    assert recipients == sorted([first, second, late])
    assert OutboxMessage.objects.count() == 3
    assert sorted(NewsletterDelivery.objects.values_list("email", flat=True)) == recipients
    dispatch = NewsletterDispatch.objects.get()
    assert (dispatch.status, dispatch.total, dispatch.queued_count, dispatch.attempts) == (
        JobStatus.DONE,
        3,
        3,
        2,
    )
    # A finished dispatch does nothing at all when run again.
    assert run_dispatch(dispatch_id=dispatch.pk) is False
    assert run_due_dispatches() == 0
    assert OutboxMessage.objects.count() == 3


def test_r18_a_sending_whose_task_was_lost_is_picked_up_by_the_periodic_job(
    smtp_server, settings, site_url, token
):
    reader = f"reader-{token}@example.org"
    subscribe(reader)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    start_sending(acting_user=_staff_user(Role.OWNER), newsletter_id=NewsletterFactory().pk)
    assert NewsletterDispatch.objects.get().status == JobStatus.QUEUED  # the task never ran
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    call_command("newsletter_dispatch", verbosity=0)

    smtp_server.wait_for(reader)
    assert received_by(smtp_server) == [reader]
    assert NewsletterDispatch.objects.get().status == JobStatus.DONE


def test_r29_r17_a_subscriber_whose_erasure_is_under_way_gets_nothing(smtp_server, site_url):
    leaving = UserFactory()
    staying = UserFactory()
    subscribe(leaving.email, user=leaving)
    subscribe(staying.email, user=staying)
    ErasureJobFactory(user=leaving)  # asked for, not yet carried out: the consent still stands

    start_sending(acting_user=_staff_user(Role.OWNER), newsletter_id=NewsletterFactory().pk)

    smtp_server.wait_for(staying.email)
    assert received_by(smtp_server) == [staying.email]
    assert NewsletterDispatch.objects.get().skipped_count == 1


def received_by(smtp_server) -> list[str]:
    return sorted(r for mail in smtp_server.messages for r in mail.recipients)


def _staff_user(role: str):
    return StaffFactory(role=role)


def test_r18_a_server_refusing_one_recipient_does_not_stop_the_others(
    picky_smtp_server, site_url, token
):
    addresses = [f"{name}-{token}@example.org" for name in ("anna", "refuse-bo", "carl")]
    for address in addresses:
        subscribe(address)
    newsletter = NewsletterFactory()

    start_sending(acting_user=_staff_user(Role.SUPPORT), newsletter_id=newsletter.pk)

    picky_smtp_server.wait_for(addresses[2])
    assert sorted(r for m in picky_smtp_server.messages for r in m.recipients) == [
        addresses[0],
        addresses[2],
    ]
    refused = OutboxMessage.objects.get(email=addresses[1])
    assert (refused.status, refused.last_error_code) == (JobStatus.FAILED, "recipient_refused_550")
    assert OutboxMessage.objects.filter(status=JobStatus.DONE).count() == 2
    progress = NewsletterDispatch.objects.get()
    assert (progress.status, progress.queued_count) == (JobStatus.DONE, 3)


def test_r18_a_server_that_is_down_loses_nothing_and_each_email_goes_once_when_it_is_back(
    smtp_server, settings, site_url, token
):
    addresses = sorted(f"{name}-{token}@example.org" for name in ("dora", "emil"))
    for address in addresses:
        subscribe(address)
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is down
    settings.EMAIL_TIMEOUT = 5
    start_sending(acting_user=_staff_user(Role.SUPPORT), newsletter_id=NewsletterFactory().pk)

    waiting = OutboxMessage.objects.order_by("email")
    assert [(m.email, m.status, m.last_error_code) for m in waiting] == [
        (address, JobStatus.QUEUED, "connection_refused") for address in addresses
    ]
    assert NewsletterDispatch.objects.get().status == JobStatus.DONE

    settings.EMAIL_PORT = smtp_server.port
    with time_machine.travel(dt.timedelta(hours=1)):
        tally = deliver_due_messages()
        again = deliver_due_messages()

    assert (tally.sent, again.attempted) == (2, 0)
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == addresses


def test_r17_recipients_get_their_language_or_english_and_nothing_without_either(
    smtp_server, site_url, token
):
    german = f"german-{token}@example.org"
    subscribe(german, language="de")
    with_english = NewsletterFactory(subject_en="English news", subject_da="Danske nyheder")
    only_danish = NewsletterFactory(subject_en="", body_en="", subject_da="Kun på dansk")
    acting = _staff_user(Role.SUPPORT)

    start_sending(acting_user=acting, newsletter_id=with_english.pk)
    start_sending(acting_user=acting, newsletter_id=only_danish.pk)

    (mail,) = smtp_server.wait_for(german)
    assert mail.subject == "English news"
    skipped = NewsletterDispatch.objects.get(newsletter=only_danish)
    assert (skipped.total, skipped.queued_count, skipped.skipped_count) == (1, 0, 1)


def test_r17_only_the_owner_and_support_may_write_and_send_newsletters():
    newsletter = NewsletterFactory()
    urls = [
        reverse("newsletter:staff_list"),
        reverse("newsletter:staff_new"),
        reverse("newsletter:staff_detail", args=[newsletter.pk]),
        reverse("newsletter:staff_send", args=[newsletter.pk]),
    ]
    for role in (Role.PRIVACY_OFFICER, Role.INSTRUCTOR, Role.OPERATIONS):
        client = staff_client(role)
        assert [client.get(url).status_code for url in urls] == [403] * 4, role
        assert client.post(urls[3], {}).status_code == 403
    for role in (Role.OWNER, Role.SUPPORT):
        client = staff_client(role)
        assert [client.get(url).status_code for url in urls] == [200] * 4, role
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302
    assert Newsletter.objects.get().status == Newsletter.Status.DRAFT
    assert NewsletterDispatch.objects.count() == 0


def test_r17_a_newsletter_needs_a_subject_and_a_text_in_at_least_one_language():
    staff = staff_client(Role.SUPPORT)
    empty = dict.fromkeys(TEXTS, "")

    nothing = staff.post(reverse("newsletter:staff_new"), empty)
    half = staff.post(reverse("newsletter:staff_new"), {**empty, "subject_de": "Nur Betreff"})

    assert (nothing.status_code, half.status_code) == (400, 400)
    assert "Write the subject and the text in at least one language." in nothing.content.decode()
    assert "Write the text too, or leave both empty." in half.content.decode()
    assert Newsletter.objects.count() == 0


def test_r17_a_newsletter_being_sent_can_be_neither_changed_nor_sent_again(site_url):
    acting = _staff_user(Role.OWNER)
    newsletter = NewsletterFactory()
    dispatch = start_sending(acting_user=acting, newsletter_id=newsletter.pk)

    with pytest.raises(NewsletterError) as again:
        start_sending(acting_user=acting, newsletter_id=newsletter.pk)
    with pytest.raises(NewsletterError) as changed:
        services.save_newsletter(acting_user=acting, texts=TEXTS, newsletter_id=newsletter.pk)

    assert (again.value.code, changed.value.code) == ("not_a_draft", "not_a_draft")
    assert list(NewsletterDispatch.objects.values_list("pk", flat=True)) == [dispatch.pk]
    newsletter.refresh_from_db()
    assert newsletter.subject_en.startswith("News from the school")


def test_r35_writing_changing_and_sending_a_newsletter_are_audited_and_refusals_are_not(site_url):
    staff = _staff_user(Role.SUPPORT)

    with pytest.raises(NewsletterError) as empty:
        services.save_newsletter(acting_user=staff, texts=dict.fromkeys(TEXTS, ""))
    newsletter = services.save_newsletter(acting_user=staff, texts=TEXTS)
    services.save_newsletter(
        acting_user=staff, texts={**TEXTS, "body_en": "Four courses."}, newsletter_id=newsletter.pk
    )
    with pytest.raises(NewsletterError) as statements:
        start_sending(acting_user=staff, newsletter_id=newsletter.pk, include_customers=True)
    start_sending(acting_user=staff, newsletter_id=newsletter.pk)
    with pytest.raises(NewsletterError) as again:
        start_sending(acting_user=staff, newsletter_id=newsletter.pk)

    assert (empty.value.code, statements.value.code, again.value.code) == (
        "no_language",
        "customer_statements_needed",
        "not_a_draft",
    )
    assert audit_trail() == [
        (staff.pk, "newsletter", str(newsletter.pk), text)
        for text in (
            "Newsletter draft written",
            "Newsletter draft changed",
            "Newsletter sending started, to subscribers",
        )
    ]
