"""The person's own profile and sessions (R3, R27)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.models import ProfileChange, User
from coursekeeper.accounts.services import PROFILE_FIELDS

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(person: User, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def profile_values(person: User) -> dict[str, object]:
    person.refresh_from_db()
    return {name: getattr(person, name) for name in PROFILE_FIELDS}


def test_r3_profile_page_shows_every_profile_field():
    person = UserFactory(company="Nordlys ApS", job_title="Bookkeeper", city="Aarhus")

    page = signed_in(person).get(reverse("accounts:profile")).content.decode()

    for name in PROFILE_FIELDS:
        assert f'name="{name}"' in page
    assert person.email in page
    assert 'value="Nordlys ApS"' in page
    assert 'value="Bookkeeper"' in page


def test_r27_person_corrects_every_profile_field_directly(token):
    person = UserFactory()
    before = profile_values(person)
    client = signed_in(person)
    new_values = {
        "full_name": f"Birgit Hansen {token}",
        "phone": "+45 20 30 40 50",
        "street_address": "Vestergade 12, 2. th.",
        "postal_code": "8000",
        "city": "Aarhus C",
        "country": "DK",
        "company": "Fjord Consult ApS",
        "job_title": "Project lead",
        "interests": "bookkeeping, leadership",
        "language": "da",
        "time_zone": "Europe/Copenhagen",
    }

    response = client.post(reverse("accounts:profile"), new_values)

    assert response.status_code == 302
    assert profile_values(person) == new_values
    assert response.cookies["coursekeeper_language"].value == "da"

    # The edit is audited by field name only: the old values are not kept anywhere.
    (change,) = ProfileChange.objects.filter(user=person)
    assert change.changed_by_id == person.pk
    assert set(change.fields.split(",")) == {k for k, v in new_values.items() if before[k] != v}
    assert token not in change.fields
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="changes-heading"' in page


def test_r27_invalid_profile_values_are_refused_and_change_nothing():
    person = UserFactory()
    before = profile_values(person)
    client = signed_in(person)

    response = client.post(
        reverse("accounts:profile"),
        {**before, "full_name": "", "time_zone": "Mars/Olympus_Mons", "country": "XX"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "This field is required." in page
    assert profile_values(person) == before
    assert not ProfileChange.objects.filter(user=person).exists()


def test_r27_changing_the_email_address_waits_for_the_new_address_to_be_verified(
    smtp_server, token
):
    person = UserFactory()
    old_email = person.email
    client = signed_in(person)
    new_email = f"new-{token}@example.org"

    response = client.post(reverse("account_email"), {"action_add": "", "email": new_email})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == old_email
    assert EmailAddress.objects.get(email=new_email).verified is False
    (mail,) = smtp_server.wait_for(new_email)
    assert "/accounts/confirm-email/" in mail.text


def test_r27_person_sees_their_sessions_and_ends_another_one():
    person = UserFactory()
    laptop = signed_in(
        person, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko Firefox/128.0"
    )
    phone = signed_in(
        person,
        HTTP_USER_AGENT=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        ),
    )

    page = laptop.get(reverse("accounts:sessions"))
    sessions = page.context["sessions"]
    assert [(s.browser, s.is_current) for s in sessions] == [
        ("Firefox", True),
        ("Mobile Safari", False),
    ]
    other = sessions[1]

    response = laptop.post(reverse("accounts:end_session", args=[other.id]))

    assert response.status_code == 302
    assert phone.get(reverse("accounts:profile")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:profile")).status_code == 200


def test_r27_a_person_cannot_end_someone_elses_session():
    victim = UserFactory()
    signed_in(victim)
    (victim_session,) = UserSession.objects.filter(user=victim)
    attacker = signed_in(UserFactory())

    response = attacker.post(reverse("accounts:end_session", args=[victim_session.pk]))

    assert response.status_code == 404
    assert "That session has already ended." in response.content.decode()
    assert UserSession.objects.filter(user=victim).count() == 1


def test_r27_profile_needs_sign_in():
    response = Client().get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
