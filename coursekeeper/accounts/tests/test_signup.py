"""Sign-up and email verification (R1), with mail through a real SMTP conversation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

STRONG_PASSWORD = "a quiet lake at dawn 42"


def signup_data(token: str, **overrides) -> dict[str, str]:
    data = {
        "full_name": f"Signe Sørensen {token}",
        "email": f"signe-{token}@example.org",
        "password1": STRONG_PASSWORD,
        "adult_confirmed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def verification_link(text: str) -> str:
    match = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", text)
    assert match, text
    return match.group(1)


def test_r1_signup_creates_unverified_account_and_sends_verification_link(
    client, smtp_server, token
):
    response = client.post(reverse("account_signup"), signup_data(token))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=f"signe-{token}@example.org")
    assert user.full_name == f"Signe Sørensen {token}"
    assert user.adult_confirmed_at is not None
    assert user.role == "learner"
    assert user.password.startswith("argon2$argon2id$")
    assert EmailAddress.objects.get(user=user).verified is False
    mails = smtp_server.wait_for(user.email)
    assert len(mails) == 1
    verification_link(mails[0].text)


def test_r1_verification_link_verifies_the_address_once(client, smtp_server, token):
    client.post(reverse("account_signup"), signup_data(token))
    email = f"signe-{token}@example.org"
    link = verification_link(smtp_server.wait_for(email)[0].text)

    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email=email).verified is True

    reused = client.post(link, follow=True)
    assert EmailAddress.objects.filter(email=email, verified=True).count() == 1
    assert reused.status_code in (200, 404)


def test_r1_expired_verification_link_is_refused_and_changes_nothing(client, smtp_server, token):
    client.post(reverse("account_signup"), signup_data(token))
    email = f"signe-{token}@example.org"
    link = verification_link(smtp_server.wait_for(email)[0].text)

    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        page = client.get(link)
        client.post(link)

    assert "expired or is invalid" in page.content.decode()
    assert EmailAddress.objects.get(email=email).verified is False


def test_r1_signup_without_age_confirmation_is_refused_and_creates_nothing(client, token):
    response = client.post(reverse("account_signup"), signup_data(token, adult_confirmed=None))

    assert response.status_code == 200
    assert "Please confirm that you are 18 or older." in response.content.decode()
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7!", "This password is too short"),
        ("password123", "This password is too common"),
    ],
)
def test_r2_weak_or_common_password_is_refused_and_creates_nothing(
    client, token, password, message
):
    response = client.post(reverse("account_signup"), signup_data(token, password1=password))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_r2_long_passphrase_without_composition_rules_is_accepted(client, smtp_server, token):
    passphrase = "all lower case words make a fine long passphrase " * 1  # 50 characters
    response = client.post(reverse("account_signup"), signup_data(token, password1=passphrase))

    assert response.status_code == 302
    assert User.objects.get(email=f"signe-{token}@example.org").check_password(passphrase)


def test_r1_duplicate_email_in_other_case_does_not_reveal_the_account(client, smtp_server, token):
    existing = UserFactory(email=f"signe-{token}@example.org")
    name_before = existing.full_name
    before = set(User.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("account_signup"), signup_data(token, email=f"SIGNE-{token}@Example.ORG")
    )

    # The same answer a new address gets: "we sent you an email".
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert set(User.objects.values_list("pk", flat=True)) == before
    existing.refresh_from_db()
    assert existing.full_name == name_before
    # The owner of the address is told someone tried to sign up with it.
    mails = smtp_server.wait_for(existing.email)
    assert len(mails) == 1
    assert "already" in mails[0].text.lower()


def test_r1_email_is_unique_regardless_of_case_even_outside_ascii(token):
    UserFactory(email=f"ÅSE-{token}@example.org")

    assert User.objects.get(email=f"åse-{token}@example.org").email == f"åse-{token}@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(f"Åse-{token}@EXAMPLE.org", "x" * 12, full_name="Other")
    assert User.objects.count() == 1


def test_r1_database_refuses_a_case_variant_written_past_the_python_normalisation(token):
    UserFactory(email=f"anna-{token}@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email=f"Anna-{token}@example.org", full_name="Copy")])
    assert User.objects.count() == 1


# What a stranger may type as a "name" to get their words mailed by the school to any address.
PHISHING_NAME = (
    "Your mailbox is full. Verify now at https://mail-check.example.net/login?id={token} "
    "or it is closed today"
)


@pytest.mark.parametrize("existing_account", [False, True])
def test_r1_mail_to_an_unconfirmed_address_quotes_nothing_the_sender_typed(
    client, smtp_server, token, existing_account
):
    """Neither the confirmation nor the "account already exists" mail repeats the name."""
    email = f"target-{token}@example.org"
    if existing_account:
        UserFactory(email=email)
    name = PHISHING_NAME.format(token=token)

    client.post(reverse("account_signup"), signup_data(token, email=email, full_name=name))

    (mail,) = smtp_server.wait_for(email)
    for text in (mail.text, mail.subject):
        assert "mail-check.example.net" not in text
        assert token not in text.replace(email, "")
        assert "mailbox is full" not in text
        assert "Verify now" not in text


def test_r1_a_new_address_added_to_an_account_gets_no_name_either(client, smtp_server, token):
    """The owner's own name is not quoted to an address they add but do not control yet."""
    person = UserFactory(full_name=PHISHING_NAME.format(token=token))
    client.force_login(person)
    added = f"added-{token}@example.org"

    client.post(reverse("account_email"), {"email": added, "action_add": ""})

    (mail,) = smtp_server.wait_for(added)
    assert "mail-check.example.net" not in mail.text
    assert "mailbox is full" not in mail.text
    assert reverse("account_confirm_email", args=["x"]).rsplit("x", 1)[0] in mail.text
