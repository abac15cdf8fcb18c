"""R29, R30, R27 (GDPR Art. 19): a correction, an erasure or a restriction is told to every
recipient that received the person's data -- by email to its privacy contact, or as a dated task
for staff -- once per request, and an overdue task alerts the staff once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.messaging.services import deliver_due_messages
from coursekeeper.privacy import jobs, rights
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.factories import DisclosureFactory, RecipientFactory
from coursekeeper.privacy.models import (
    ErasureJob,
    ProviderSettings,
    Recipient,
    RecipientNotice,
    RightsRequest,
)
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.recipient_notices import services as notices
from coursekeeper.privacy.recipients import recipients_for
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import PROVIDER, staff_client

BASE = "http://testserver/"
Kind = RightsRequest.Kind
Channel = RightsRequest.Channel
Change = RecipientNotice.Change


def fill_in_provider() -> None:
    provider = ProviderSettings.load()
    for name, value in PROVIDER.items():
        setattr(provider, name, value)
    provider.save()


def file(kind: str, user) -> RightsRequest:
    return rights.file_request(kind=kind, channel=Channel.ACCOUNT, user=user, base_url=BASE)


def recipients_with_and_without_contact(token: str):
    """A (with a privacy contact), B (without) and C (receives nothing the person has)."""
    with_contact = RecipientFactory(
        name=f"Postbud {token} ApS",
        categories=["contact"],
        privacy_email=f"privacy-{token}@postbud.example",
    )
    without_contact = RecipientFactory(name=f"Videomøde {token} ApS", categories=["contact"])
    unrelated = RecipientFactory(
        name=f"Optager {token} ApS",
        categories=["recording"],
        privacy_email=f"privacy-{token}@optager.example",
    )
    return with_contact, without_contact, unrelated


def shown(moment: dt.datetime) -> str:
    """A date as the English pages and emails show it."""
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "DATE_FORMAT")


def history(request: RightsRequest) -> list[tuple[str, str]]:
    return list(request.events.values_list("action", "note"))


# --- An erasure, end to end through the job and a real SMTP conversation -------------------------


@pytest.mark.django_db(transaction=True)
def test_r29_erasure_mails_the_recipient_with_a_contact_once_and_tasks_staff_with_the_other(
    smtp_server, token
):
    fill_in_provider()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    address = f"learner-{token}@example.org"
    learner = UserFactory(email=address)
    postbud, videomode, optager = recipients_with_and_without_contact(token)
    request = file(Kind.ERASURE, learner)

    # Staff carry it out; the erasure job runs after the commit and tells the recipients.
    rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)

    job = ErasureJob.objects.get(request=request)
    assert job.status == "done"
    (mail,) = smtp_server.wait_for(postbud.privacy_email)
    assert mail.recipients == [postbud.privacy_email]
    assert mail.subject == (
        "Please erase the data of a person we shared with you (Fjord Kurser ApS)"
    )
    assert mail.message["Reply-To"] == "privacy@fjord.example"
    assert mail.text.splitlines() == [
        f"Hello Postbud {token} ApS,",
        "",
        "At the person's request, we have erased the personal data we held about the person "
        "you know by this email address:",
        "",
        f"    {address}",
        "",
        "Please erase the data about this person that you received from us, unless a law "
        "obliges you to keep it, and tell us when it is done.",
        "",
        "We tell you this under Article 19 of the General Data Protection Regulation. This "
        "email names the person only by the address you already received from us.",
        f"Our reference: privacy request {request.pk}.",
        "Please reply to privacy@fjord.example.",
        "",
        "Fjord Kurser ApS",
    ]
    assert smtp_server.to(optager.privacy_email) == []

    request.refresh_from_db()
    mailed, task = RecipientNotice.objects.filter(request=request).order_by("pk")
    assert (mailed.recipient, mailed.change, mailed.sent_to, mailed.identifiers) == (
        postbud,
        Change.ERASED,
        postbud.privacy_email,
        [],
    )
    assert mailed.done_at is not None
    # The email forgot whom it named once the server accepted it.
    sent = mailed.outbox_message
    assert sent is not None
    assert (sent.status, sent.email, sent.body_text, sent.subject) == ("done", "", "", "")
    assert (task.recipient, task.change, task.sent_to, task.done_at) == (
        videomode,
        Change.ERASED,
        "",
        None,
    )
    # Carried out at once, so the request's own deadline is the task's.
    assert task.due_at == request.due_at
    # Kept until told: the recipient must still learn whom to erase.
    assert task.identifiers == [address]
    due = timezone.localdate(request.due_at).isoformat()
    assert (
        "notify",
        f"Postbud {token} ApS (emailed to {postbud.privacy_email}); "
        f"Videomøde {token} ApS (by hand, by {due})",
    ) in history(request)
    assert (request.status, request.email, request.user_id) == ("answered", "", None)

    # A rerun of the job, or the notices asked for again, tell nobody a second time.
    assert jobs.run_erasure_job(job_id=job.pk) is False
    again = notices.tell_recipients(
        request=request,
        change=Change.ERASED,
        plans=[
            notices.PlannedNotice(postbud.pk, (address,)),
            notices.PlannedNotice(videomode.pk, (address,)),
        ],
    )
    assert again == []
    deliver_due_messages()
    assert len(smtp_server.to(postbud.privacy_email)) == 1
    assert RecipientNotice.objects.count() == 2
    assert OutboxMessage.objects.filter(template="privacy/recipient_notice").count() == 1
    assert [action for action, _note in history(request)].count("notify") == 1


# --- Staff tasks -------------------------------------------------------------------------------


def erased_with_a_task(token: str) -> tuple[RightsRequest, RecipientNotice, str]:
    """An erasure carried out for a learner whose data went to a recipient without a contact."""
    address = f"gone-{token}@example.org"
    learner = UserFactory(email=address)
    RecipientFactory(name=f"Videomøde {token} ApS", categories=["contact"])
    request = file(Kind.ERASURE, learner)
    job = jobs.request_erasure(user=learner, request=request)
    jobs.run_erasure_job(job_id=job.pk)
    return request, RecipientNotice.objects.get(request=request), address


@pytest.mark.django_db
def test_r29_marking_a_task_done_records_who_when_and_how_and_forgets_the_address(settings, token):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    request, task, address = erased_with_a_task(token)
    client = staff_client(Role.PRIVACY_OFFICER)
    officer = User.objects.get(role=Role.PRIVACY_OFFICER)
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    assert f"They know the person by: {address}" in page
    url = reverse("privacy:recipient_told", args=[request.pk, task.pk])
    moment = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)

    with time_machine.travel(moment, tick=False):
        response = client.post(url, {f"notice-{task.pk}-note": "Phoned their support."})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.done_by, task.done_at, task.note, task.identifiers) == (
        officer,
        moment,
        "Phoned their support.",
        [],
    )
    # The proof is kept for the Danish limitation period (3 years from when it was done).
    assert task.release_at == moment.replace(year=moment.year + 3)
    told = request.events.get(action="recipient_told")
    assert (told.actor, told.at, told.note) == (
        officer,
        moment,
        f"Videomøde {token} ApS: Phoned their support.",
    )
    assert audit_trail() == [
        (
            officer.pk,
            "recipientnotice",
            str(task.pk),
            "Recipient told of the change by hand (Art. 19)",
        )
    ]
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    assert address not in page
    assert "Phoned their support." in page


@pytest.mark.django_db
def test_r29_a_task_cannot_be_marked_twice_without_a_note_or_by_another_role(settings, token):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    request, task, address = erased_with_a_task(token)
    url = reverse("privacy:recipient_told", args=[request.pk, task.pk])
    support = staff_client(Role.SUPPORT)
    officer = staff_client(Role.PRIVACY_OFFICER)
    other = RightsRequest.objects.create(kind=Kind.ERASURE, channel=Channel.EMAIL, email=address)

    assert support.post(url, {f"notice-{task.pk}-note": "Done."}).status_code == 403
    empty = officer.post(url, {f"notice-{task.pk}-note": "  "}, follow=True)
    assert "Say how and when you told the recipient." in empty.content.decode()
    # The task belongs to its own request only.
    wrong = reverse("privacy:recipient_told", args=[other.pk, task.pk])
    assert (
        "There is no such recipient to tell."
        in officer.post(wrong, {f"notice-{task.pk}-note": "Done."}, follow=True).content.decode()
    )

    task.refresh_from_db()
    assert (task.done_at, task.done_by, task.note, task.identifiers) == (None, None, "", [address])
    assert not request.events.filter(action="recipient_told").exists()
    assert audit_trail() == []

    assert officer.post(url, {f"notice-{task.pk}-note": "Wrote to them."}).status_code == 302
    with pytest.raises(PrivacyError) as refused:
        notices.mark_recipient_told(
            request_id=request.pk,
            notice_id=task.pk,
            acting_user=User.objects.get(role=Role.PRIVACY_OFFICER),
            note="Again.",
        )
    assert refused.value.code == "notice_done"
    task.refresh_from_db()
    assert task.note == "Wrote to them."
    assert request.events.filter(action="recipient_told").count() == 1
    assert [text for _staff, _model, _id, text in audit_trail()] == [
        "Recipient told of the change by hand (Art. 19)"
    ]


@pytest.mark.django_db
def test_r29_the_queue_keeps_an_answered_erasure_while_a_recipient_is_to_be_told(settings, token):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    request, task, _address = erased_with_a_task(token)
    second = RecipientNotice.objects.create(
        request=request,
        recipient=RecipientFactory(name=f"Regnskab {token} ApS"),
        change=Change.ERASED,
        due_at=task.due_at + dt.timedelta(days=3),
    )
    client = staff_client(Role.PRIVACY_OFFICER)
    request.refresh_from_db()
    assert request.status == RightsRequest.Status.ANSWERED

    queue = client.get(reverse("privacy:request_queue")).content.decode()

    assert f"2 recipients to tell by {shown(task.due_at)}" in queue
    assert f"#{request.pk}" in queue

    for notice in (task, second):
        notices.mark_recipient_told(
            request_id=request.pk,
            notice_id=notice.pk,
            acting_user=StaffFactory(role=Role.OWNER),
            note="Emailed them.",
        )
    queue = client.get(reverse("privacy:request_queue")).content.decode()
    assert "to tell by" not in queue
    assert f"#{request.pk}" not in queue


@pytest.mark.django_db
def test_r29_an_overdue_task_alerts_the_privacy_staff_once(settings, token):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    officer = StaffFactory(role=Role.PRIVACY_OFFICER, language="en")
    bystander = StaffFactory(role=Role.SUPPORT)
    request, task, address = erased_with_a_task(token)

    call_command("privacy_request_clock")  # not due yet: nothing
    with time_machine.travel(task.due_at + dt.timedelta(hours=1)):
        call_command("privacy_request_clock")
        call_command("privacy_request_clock")

    (alert,) = OutboxMessage.objects.filter(template="privacy/recipients_overdue")
    assert (alert.email, alert.recipient) == (officer.email, officer)
    assert alert.subject == "1 recipient was not told of a change in time"
    assert (
        f"- #{request.pk} Erasure of your data: Videomøde {token} ApS, by {shown(task.due_at)}"
        in alert.body_text
    )
    assert address not in alert.body_text
    assert not OutboxMessage.objects.filter(email=bystander.email).exists()
    task.refresh_from_db()
    assert task.overdue_alerted_at is not None
    assert history(request).count(("recipient_late", f"Videomøde {token} ApS")) == 1


# --- Restriction and correction ------------------------------------------------------------------


@pytest.mark.django_db
def test_r30_a_restriction_carried_out_twice_tells_each_recipient_once(token):
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    learner = UserFactory(email=f"pause-{token}@example.org")
    postbud, videomode, _optager = recipients_with_and_without_contact(token)
    request = rights.file_request(
        kind=Kind.RESTRICTION,
        channel=Channel.EMAIL,
        email=learner.email,
        acting_user=officer,
        base_url=BASE,
    )

    rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)
    rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)

    (mail,) = OutboxMessage.objects.filter(template="privacy/recipient_notice")
    assert (mail.email, mail.language, mail.forget_after_sending) == (
        postbud.privacy_email,
        "en",
        True,
    )
    assert mail.subject == (
        "Please restrict the use of a person's data we shared with you (coursekeeper)"
    )
    assert (
        "Please stop using the data about this person that you received from us, except to "
        "store it, until we tell you that the restriction is lifted." in mail.body_text
    )
    assert f"    pause-{token}@example.org\n" in mail.body_text
    assert sorted(
        RecipientNotice.objects.filter(request=request).values_list("recipient__name", "change")
    ) == [(postbud.name, Change.RESTRICTED), (videomode.name, Change.RESTRICTED)]
    assert [action for action, _note in history(request)] == [
        "filed",
        "carried_out",
        "notify",
        "carried_out",
    ]


@pytest.mark.django_db
def test_r27_a_correction_made_by_staff_is_told_in_the_recipients_language(token):
    client = staff_client(Role.OWNER)
    learner = UserFactory(email=f"fix-{token}@example.org")
    danish = RecipientFactory(
        name=f"Postkasse {token} ApS",
        categories=["contact"],
        privacy_email=f"DPO-{token}@Postkasse.example",
        language="da",
    )
    request = file(Kind.RECTIFICATION, learner)
    detail = reverse("privacy:request_detail", args=[request.pk])
    button = "The correction is made: tell the recipients"
    assert button in client.get(detail).content.decode()

    response = client.post(reverse("privacy:request_action", args=[request.pk, "carry_out"]))

    assert response.status_code == 302
    assert button not in client.get(detail).content.decode()
    (mail,) = OutboxMessage.objects.filter(template="privacy/recipient_notice")
    assert (mail.email, mail.language) == (f"dpo-{token}@postkasse.example", "da")
    notice = RecipientNotice.objects.get(request=request)
    assert (notice.recipient, notice.change) == (danish, Change.RECTIFIED)
    request.refresh_from_db()
    assert request.is_open  # staff still answer the person


@pytest.mark.django_db
def test_r29_a_recipient_that_never_received_the_address_is_not_sent_it(settings, token):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    address = f"quiet-{token}@example.org"
    learner = UserFactory(email=address)
    # Receives only how the platform is used (which every requester has: the request itself).
    analytics = RecipientFactory(
        name=f"Måler {token} ApS",
        categories=["usage"],
        privacy_email=f"privacy-{token}@maaler.example",
    )
    authority = RecipientFactory(name=f"Politi {token}", role="authority", categories=[])
    DisclosureFactory(user=learner, recipient=authority, categories=["identity", "contact"])
    request = file(Kind.ERASURE, learner)
    lines = {line.name: line.known_as for line in recipients_for(Person.for_user(learner))}
    assert lines == {analytics.name: (), authority.name: (address,)}

    job = jobs.request_erasure(user=learner, request=request)
    jobs.run_erasure_job(job_id=job.pk)

    assert not OutboxMessage.objects.filter(template="privacy/recipient_notice").exists()
    by_recipient = {
        notice.recipient_id: notice for notice in RecipientNotice.objects.filter(request=request)
    }
    assert (by_recipient[analytics.pk].identifiers, by_recipient[analytics.pk].sent_to) == ([], "")
    assert by_recipient[authority.pk].identifiers == [address]
    assert address not in RightsRequest.objects.get(pk=request.pk).events.get(action="notify").note


# --- The register --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_r37_staff_give_a_recipient_its_privacy_contact_on_the_register_form():
    client = staff_client(Role.PRIVACY_OFFICER)
    form = {
        "name": "Postbud ApS",
        "role": "processor",
        "service": "email delivery",
        "purposes": ["service_email"],
        "categories": ["contact"],
        "location": "Denmark",
        "agreement_date": "2025-01-15",
        "active": "on",
        "privacy_email": "Privacy@Postbud.example",
        "language": "de",
    }

    assert client.post(reverse("privacy:recipient_new"), form).status_code == 302

    recipient = Recipient.objects.get(name="Postbud ApS")
    assert (recipient.privacy_email, recipient.language) == ("privacy@postbud.example", "de")
    listing = client.get(reverse("privacy:recipients")).content.decode()
    assert "privacy@postbud.example" in listing

    refused = client.post(
        reverse("privacy:recipient_new"), {**form, "name": "Bad ApS", "privacy_email": "nope"}
    )
    assert refused.status_code == 400
    assert not Recipient.objects.filter(name="Bad ApS").exists()
