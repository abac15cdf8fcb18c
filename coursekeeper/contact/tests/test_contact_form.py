"""R19, R44: the public contact form stores a message, says how it is used, refuses bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.declarations import add_years
from coursekeeper.privacy.forms import new_submission_key

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("gotcha")</script><b onclick="steal()">Hello</b> & <!-- hi -->'


def form_data(token: str, **changes) -> dict:
    data = {
        "name": f"Vera {token} Visitor",
        "email": f"Vera-{token}@Example.ORG",
        "phone": f"+45 {int(token, 16) % 10**8:08d}",
        "postal_address": f"Strandvej {token}\n8000 Aarhus C",
        "message": f"Hello,\n\nwhen does the next course {token} start?",
        "submission_key": new_submission_key(),
    }
    data.update(changes)
    return data


def test_r19_the_contact_form_stores_the_message_in_a_thread_and_thanks(client, token):
    data = form_data(token, phone="+45 12 34 56 78")

    response = client.post(reverse("contact:form"), data)

    assert response.status_code == 200
    assert "Thank you for your message" in response.content.decode()
    contact = Contact.objects.get()
    assert (
        contact.email,
        contact.name,
        contact.phone,
        contact.postal_address,
        contact.unread,
        contact.language,
        contact.user_id,
    ) == (
        f"vera-{token}@example.org",
        f"Vera {token} Visitor",
        "+45 12 34 56 78",
        f"Strandvej {token}\n8000 Aarhus C",
        True,
        "en",
        None,
    )
    entry = ContactEntry.objects.get()
    assert (entry.contact_id, entry.channel, entry.direction, entry.text, entry.logged_by_id) == (
        contact.pk,
        "web_form",
        "in",
        data["message"],
        None,
    )
    assert (contact.last_contact_at, contact.keep_until) == (entry.at, add_years(entry.at, 2))
    # Staff are not sent the message: it waits in the inbox.
    assert OutboxMessage.objects.count() == 0


def test_r19_a_second_message_from_the_same_address_joins_its_thread(client, token):
    client.post(reverse("contact:form"), form_data(token))
    second = form_data(token, email=f"vera-{token}@example.org", phone="", message="And later?")

    client.post(reverse("contact:form"), second)

    contact = Contact.objects.get()
    assert list(contact.entries.order_by("at", "pk").values_list("text", flat=True)) == [
        f"Hello,\n\nwhen does the next course {token} start?",
        "And later?",
    ]
    # A field left empty keeps what the person gave before.
    assert contact.phone == form_data(token)["phone"]


def test_r19_markup_and_script_are_stored_exactly_as_typed(client, token):
    response = client.post(
        reverse("contact:form"), form_data(token, name=f"<i>{token}</i>", message=MARKUP)
    )

    assert response.status_code == 200
    assert ContactEntry.objects.get().text == MARKUP
    assert Contact.objects.get().name == f"<i>{token}</i>"


def test_r19_a_double_click_stores_one_message(client, token):
    data = form_data(token)

    first = client.post(reverse("contact:form"), data)
    second = client.post(reverse("contact:form"), data)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Thank you for your message" in second.content.decode()
    assert ContactEntry.objects.count() == 1
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"message": "   "}, "message", "This field is required."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
        (
            {"message": "x" * 5001},
            "message",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
        (
            {"name": "n" * 201},
            "name",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        (
            {"postal_address": "a" * 501},
            "postal_address",
            "Ensure this value has at most 500 characters (it has 501).",
        ),
        (
            {"phone": "call me maybe"},
            "phone",
            "A phone number may hold digits, spaces and + ( ) - . / only.",
        ),
        ({"message": "null\x00byte"}, "message", "Null characters are not allowed."),
    ],
)
def test_r19_invalid_input_is_refused_with_a_message_and_nothing_is_stored(
    client, token, changes, field, message
):
    response = client.post(reverse("contact:form"), form_data(token, **changes))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert "Your message is not sent yet." in response.content.decode()
    assert (Contact.objects.count(), ContactEntry.objects.count()) == (0, 0)


def test_r19_an_oversized_message_stays_in_the_form_to_be_shortened(client, token):
    long_message = f"{token} " + "y" * 5000

    response = client.post(reverse("contact:form"), form_data(token, message=long_message))

    page = response.content.decode()
    assert response.status_code == 400
    assert long_message in page
    # No maxlength: a browser would cut a pasted text there without a word.
    assert 'maxlength="5000"' not in page
    assert ContactEntry.objects.count() == 0


def test_r19_refusals_are_in_the_visitors_language(client, token):
    response = client.post(
        reverse("contact:form"), form_data(token, name=""), HTTP_ACCEPT_LANGUAGE="da"
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Dette felt er påkrævet."]
    assert Contact.objects.count() == 0


def test_r44_the_form_says_what_it_collects_why_and_for_how_long(client):
    response = client.get(reverse("contact:form"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "How we use what you enter here" in page
    assert "Name, email address, phone, postal address (identity, contact details)" in page
    assert "To answer what you ask us through the contact form, by phone or by email" in page
    assert "Legal basis: Legitimate interest (GDPR Art. 6(1)(f))." in page
    assert (
        "Until 2 years after your last contact with us (5 years if we also spoke by phone or "
        "email); if you become our customer, until 5 years after the customer relationship "
        "ends."
    ) in page
    assert 'name="submission_key"' in page


def test_r19_the_footer_links_to_the_contact_form(client):
    page = client.get(reverse("web:home")).content.decode()

    assert f'<a href="{reverse("contact:form")}">Contact us</a>' in page


def test_r19_one_address_can_send_five_form_messages_an_hour_and_then_must_wait(
    client, token, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _message in range(5):
        assert client.post(reverse("contact:form"), form_data(token)).status_code == 200

    refused = client.post(reverse("contact:form"), form_data(token, message="One more"))

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "please wait a little before you send another" in page
    assert "One more" in page  # what they wrote is still in the form
    assert ContactEntry.objects.count() == 5

    time_machine.shift(3601)
    assert client.post(reverse("contact:form"), form_data(token)).status_code == 200
    assert ContactEntry.objects.count() == 6
