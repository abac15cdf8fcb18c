"""R19, R34, R35: the staff inbox -- who may use it, logging calls and emails, replying through
the outbox, and a log of every look at a contact's data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.contact import services
from coursekeeper.contact.errors import ContactError
from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.declarations import add_years
from coursekeeper.privacy.forms import new_submission_key
from coursekeeper.privacy.models import StaffAccess
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db(transaction=True)

MARKUP = '<script>alert("gotcha")</script><b onclick="steal()">Hello</b>'


def write(token: str, text: str = "Hello", name: str = "") -> ContactEntry:
    return services.receive_message(
        name=name or f"Ola {token}", email=f"ola-{token}@example.org", message=text
    )


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def log_data(**changes) -> dict:
    data = {
        "log-channel": "phone",
        "log-direction": "in",
        "log-at": local_input(timezone.now() - dt.timedelta(hours=2)),
        "log-subject": "",
        "log-text": "Asked whether the Danish course has subtitles.",
        "log-submission_key": new_submission_key(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [Role.OWNER, Role.SUPPORT, Role.PRIVACY_OFFICER])
def test_r19_owner_support_and_privacy_officer_work_the_inbox(role, token):
    entry = write(token)
    client = staff_client(role)

    assert client.get(reverse("contact:inbox")).status_code == 200
    assert client.get(reverse("contact:detail", args=[entry.contact_id])).status_code == 200
    assert client.get(reverse("contact:new")).status_code == 200


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.OPERATIONS])
def test_r19_other_staff_roles_are_refused_and_see_nothing(role, token):
    entry = write(token)
    client = staff_client(role)
    pk = entry.contact_id

    responses = [
        client.get(reverse("contact:inbox")),
        client.get(reverse("contact:detail", args=[pk])),
        client.get(reverse("contact:new")),
        client.post(reverse("contact:log", args=[pk]), log_data()),
        client.post(
            reverse("contact:reply", args=[pk]), {"reply-subject": "Hi", "reply-text": "Hi"}
        ),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert all(f"ola-{token}" not in r.content.decode() for r in responses)
    assert (ContactEntry.objects.count(), OutboxMessage.objects.count()) == (1, 0)
    assert StaffAccess.objects.count() == 0


def test_r19_a_learner_is_refused_and_a_visitor_sent_to_sign_in(client, token):
    entry = write(token)
    learner = UserFactory()
    learner_client = Client()
    learner_client.force_login(learner)

    assert learner_client.get(reverse("contact:inbox")).status_code == 403
    detail = learner_client.get(reverse("contact:detail", args=[entry.contact_id]))
    assert detail.status_code == 403
    anonymous = client.get(reverse("contact:inbox"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_r19_the_inbox_lists_the_latest_contact_first_with_unread_ones_marked(token):
    older = write(f"{token}a", name=f"Older {token}")
    newer = write(f"{token}b", name=f"Newer {token}")
    Contact.objects.filter(pk=older.contact_id).update(
        unread=False, last_contact_at=timezone.now() - dt.timedelta(days=3)
    )
    client = staff_client(Role.SUPPORT)

    response = client.get(reverse("contact:inbox"))

    listed = list(response.context["page"].object_list)
    assert [c.pk for c in listed] == [newer.contact_id, older.contact_id]
    assert [c.unread for c in listed] == [True, False]
    page = response.content.decode()
    assert page.count(">New</strong>") == 1
    assert page.index(f"Newer {token}") < page.index(f"Older {token}")


def test_r19_markup_is_shown_as_text_in_the_inbox_never_run(token):
    entry = write(token, text=MARKUP, name=f"<i>{token}</i>")
    client = staff_client(Role.SUPPORT)

    listing = client.get(reverse("contact:inbox")).content.decode()
    thread = client.get(reverse("contact:detail", args=[entry.contact_id])).content.decode()

    for page in (listing, thread):
        assert f"<i>{token}</i>" not in page
        assert f"&lt;i&gt;{token}&lt;/i&gt;" in page
    assert "<script>alert" not in thread
    assert 'onclick="steal()"' not in thread
    assert (
        "&lt;script&gt;alert(&quot;gotcha&quot;)&lt;/script&gt;"
        "&lt;b onclick=&quot;steal()&quot;&gt;Hello&lt;/b&gt;"
    ) in thread
    assert ContactEntry.objects.get().text == MARKUP


def test_r35_every_look_at_a_contact_is_logged(token):
    first = write(f"{token}a")
    second = write(f"{token}b")
    client = staff_client(Role.SUPPORT)

    client.get(reverse("contact:inbox"))
    client.get(reverse("contact:detail", args=[first.contact_id]))

    views = list(
        StaffAccess.objects.order_by("pk").values_list("object_id", "place", "staff", "email")
    )
    staff = views[0][2]
    assert staff is not None
    first_id, second_id = str(first.contact_id), str(second.contact_id)
    assert sorted(views[:2]) == sorted(
        [
            (first_id, "contact:inbox", staff, first.contact.email),
            (second_id, "contact:inbox", staff, second.contact.email),
        ]
    )
    assert views[2:] == [(first_id, "contact:thread", staff, first.contact.email)]
    # Opening the thread marked it read; the other stays unread.
    assert dict(Contact.objects.values_list("pk", "unread")) == {
        first.contact_id: False,
        second.contact_id: True,
    }


def test_r19_staff_log_a_phone_call_and_the_thread_is_kept_five_years(token):
    entry = write(token)
    client = staff_client(Role.SUPPORT)
    data = log_data()

    response = client.post(reverse("contact:log", args=[entry.contact_id]), data)
    again = client.post(reverse("contact:log", args=[entry.contact_id]), data)  # double click

    assert (response.status_code, again.status_code) == (302, 302)
    logged = ContactEntry.objects.exclude(pk=entry.pk).get()
    assert logged.logged_by is not None
    assert (logged.channel, logged.direction, logged.text, logged.logged_by.role) == (
        "phone",
        "in",
        "Asked whether the Danish course has subtitles.",
        Role.SUPPORT,
    )
    assert local_input(logged.at) == data["log-at"]
    contact = Contact.objects.get()
    # The call was two hours before the form message, the last contact; with a call logged,
    # the thread is kept 5 years after that last contact.
    assert (contact.last_contact_at, contact.keep_until) == (entry.at, add_years(entry.at, 5))
    page = client.get(reverse("contact:detail", args=[contact.pk])).content.decode()
    assert "Asked whether the Danish course has subtitles." in page
    assert "Phone call" in page


def test_r19_a_contact_logged_in_the_future_is_refused_and_the_notes_stay(token):
    entry = write(token)
    client = staff_client(Role.SUPPORT)
    tomorrow = local_input(timezone.now() + dt.timedelta(days=1))

    response = client.post(
        reverse("contact:log", args=[entry.contact_id]),
        log_data(**{"log-at": tomorrow, "log-text": f"Notes {token} to keep"}),
    )

    assert response.status_code == 400
    assert response.context["log_form"].errors["at"] == [
        "A contact cannot be logged in the future."
    ]
    assert f"Notes {token} to keep" in response.content.decode()
    assert ContactEntry.objects.count() == 1


def test_r19_staff_log_a_call_from_someone_new(token):
    client = staff_client(Role.OWNER)
    data = {
        "name": f"Caller {token}",
        "email": f"Caller-{token}@Example.org",
        "phone": "+49 30 1234567",
        "postal_address": "",
        "language": "de",
        **{key.removeprefix("log-"): value for key, value in log_data().items()},
    }

    response = client.post(reverse("contact:new"), data)

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contact:detail", args=[contact.pk])
    assert (contact.email, contact.name, contact.language, contact.years_after_last_contact) == (
        f"caller-{token}@example.org",
        f"Caller {token}",
        "de",
        5,
    )
    # The same address later writes through the form: one thread, still 5 years.
    write_again = services.receive_message(
        name=f"Caller {token}", email=f"caller-{token}@example.org", message="Thanks!"
    )
    contact.refresh_from_db()
    assert write_again.contact_id == contact.pk
    assert contact.keep_until == add_years(write_again.at, 5)


def test_r18_r19_a_reply_goes_through_the_outbox_and_is_kept_in_the_thread(token, smtp_server):
    entry = write(token, text="Is there a discount?")
    client = staff_client(Role.SUPPORT)
    data = {
        "reply-subject": f"Your question {token}",
        "reply-text": "Yes: 10% for members.\n<b>Not bold</b>",
        "reply-submission_key": new_submission_key(),
    }

    response = client.post(reverse("contact:reply", args=[entry.contact_id]), data)
    again = client.post(reverse("contact:reply", args=[entry.contact_id]), data)

    assert (response.status_code, again.status_code) == (302, 302)
    reply = ContactEntry.objects.exclude(pk=entry.pk).get()
    assert (reply.channel, reply.direction, reply.subject, reply.text) == (
        "reply",
        "out",
        f"Your question {token}",
        "Yes: 10% for members.\n<b>Not bold</b>",
    )
    assert reply.logged_by is not None
    message = OutboxMessage.objects.get()
    assert (message.email, message.subject, message.template, message.body_html) == (
        f"ola-{token}@example.org",
        f"Your question {token}",
        "contact/reply",
        "",
    )
    (mail,) = smtp_server.wait_for(f"ola-{token}@example.org")
    assert mail.subject == f"Your question {token}"
    assert mail.text.replace("\r\n", "\n").strip() == "Yes: 10% for members.\n<b>Not bold</b>"
    assert mail.message.get_content_type() == "text/plain"
    message.refresh_from_db()
    assert message.status == "done"
    contact = Contact.objects.get()
    assert (contact.unread, contact.last_contact_at) == (False, reply.at)


def test_r19_an_empty_or_multiline_reply_is_refused_and_nothing_is_sent(token):
    entry = write(token)
    client = staff_client(Role.SUPPORT)

    response = client.post(
        reverse("contact:reply", args=[entry.contact_id]),
        {"reply-subject": "Two\nlines", "reply-text": ""},
    )

    assert response.status_code == 400
    errors = response.context["reply_form"].errors
    assert errors["subject"] == ["Write the subject on one line."]
    assert errors["text"] == ["This field is required."]
    assert (ContactEntry.objects.count(), OutboxMessage.objects.count()) == (1, 0)


def test_r19_an_unknown_contact_is_not_found(token):
    client = staff_client(Role.SUPPORT)

    assert client.get(reverse("contact:detail", args=[999999])).status_code == 404
    assert client.post(reverse("contact:log", args=[999999]), log_data()).status_code == 404
    assert ContactEntry.objects.count() == 0


def test_r20_the_contact_page_says_when_the_person_is_a_customer(token):
    learner = UserFactory(email=f"ola-{token}@example.org")
    EnrollmentFactory(learner=learner)
    entry = write(token)
    client = staff_client(Role.SUPPORT)

    page = client.get(reverse("contact:detail", args=[entry.contact_id])).content.decode()

    assert "<dt>Account</dt><dd>a customer</dd>" in page
    assert "or 5 years after the customer relationship ends, whichever is later" in page


def test_r30_no_reply_goes_to_someone_who_restricted_processing_and_staff_are_told(token):
    from coursekeeper.contact.errors import ContactError
    from coursekeeper.privacy.factories import RestrictionFactory

    entry = write(token, text="Is there a discount?")
    RestrictionFactory(user=None, email=f"ola-{token}@example.org")
    client = staff_client(Role.SUPPORT)

    response = client.post(
        reverse("contact:reply", args=[entry.contact_id]),
        {
            "reply-subject": "Your question",
            "reply-text": "Yes.",
            "reply-submission_key": new_submission_key(),
        },
    )

    assert response.status_code == 403
    assert response.context["reply_form"].non_field_errors() == [
        ContactError("reply_restricted").message
    ]
    assert (ContactEntry.objects.count(), OutboxMessage.objects.count()) == (1, 0)


def test_r30_the_contact_form_takes_no_message_from_someone_who_restricted_processing(token):
    from coursekeeper.contact.errors import ContactError
    from coursekeeper.privacy.factories import RestrictionFactory

    RestrictionFactory(user=None, email=f"ola-{token}@example.org")

    response = Client().post(
        reverse("contact:form"),
        {"name": "Ola", "email": f"ola-{token}@example.org", "message": "Hello"},
    )

    assert response.status_code == 403
    assert ContactError("processing_restricted").message in response.content.decode()
    assert Contact.objects.count() == 0


def test_r35_logging_and_answering_are_audited_once_with_their_entry_and_refusals_not(token):
    entry = write(token)
    staff = StaffFactory(role=Role.SUPPORT)
    earlier = timezone.now() - dt.timedelta(hours=1)
    key = new_submission_key()

    with pytest.raises(ContactError) as future:
        services.log_contact(
            acting_user=staff,
            contact_id=entry.contact_id,
            channel="phone",
            direction="in",
            at=timezone.now() + dt.timedelta(hours=1),
            text="Called.",
        )
    calls = [
        services.log_contact(
            acting_user=staff,
            contact_id=entry.contact_id,
            channel="phone",
            direction="in",
            at=earlier,
            text="Asked about subtitles.",
            submission_key=key,
        )
        for _click in range(2)  # a double-clicked form
    ]
    new = services.start_thread(
        acting_user=staff,
        name=f"Nils {token}",
        email=f"nils-{token}@example.org",
        channel="email",
        direction="in",
        at=earlier,
        text="Do you teach bookkeeping?",
    )
    answer = services.reply_by_email(
        acting_user=staff, contact_id=entry.contact_id, subject="Subtitles", text="Yes."
    )

    assert future.value.code == "in_the_future"
    assert calls[0] == calls[1]
    assert ContactEntry.objects.count() == 4
    assert audit_trail() == [
        (staff.pk, "contactentry", str(calls[0].pk), "Call or email logged in the thread"),
        (staff.pk, "contactentry", str(new.pk), "Call or email logged in the thread"),
        (staff.pk, "contactentry", str(answer.pk), "Answered by email"),
    ]
