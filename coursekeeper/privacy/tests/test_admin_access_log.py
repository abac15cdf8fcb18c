"""R35: every administration page that shows personal data leaves a staff-access row."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.privacy.access.admin_site import AccessLoggedAdmin
from coursekeeper.privacy.factories import (
    AuthenticatorFactory,
    EmailAddressFactory,
    UserSessionFactory,
)
from coursekeeper.privacy.models import StaffAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    """The school's owner, signed in past the second factor, with every admin permission."""
    person = StaffFactory(role=Role.OWNER, is_superuser=True)
    AuthenticatorFactory(user=person)
    return person


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def learner(token):
    return UserFactory(full_name=f"Lea {token}", phone=f"+45 {token[:8]}")


def _accesses(person) -> list[tuple[str, list[str], int | None]]:
    return [
        (row.place, row.categories, row.staff_id)
        for row in StaffAccess.objects.filter(user=person).order_by("pk")
    ]


def test_r35_admin_user_list_logs_every_listed_person(owner, owner_client, learner):
    response = owner_client.get("/admin/accounts/user/", {"q": learner.email})

    assert response.status_code == 200
    assert learner.email in response.content.decode()
    assert _accesses(learner) == [
        (
            "admin:accounts_user_changelist",
            ["identity", "contact", "usage", "profile"],
            owner.pk,
        )
    ]


def test_r35_admin_user_change_page_logs_the_person_and_what_it_shows(owner, owner_client, learner):
    response = owner_client.get(f"/admin/accounts/user/{learner.pk}/change/")

    assert response.status_code == 200
    assert learner.phone in response.content.decode()
    [(place, categories, staff_id)] = _accesses(learner)
    assert place == "admin:accounts_user_change"
    assert staff_id == owner.pk
    assert {"identity", "contact", "profile", "credentials", "usage"} <= set(categories)


def test_r35_admin_sessions_and_email_addresses_are_logged(owner, owner_client, learner):
    UserSessionFactory(user=learner)
    EmailAddressFactory(user=learner)

    sessions = owner_client.get("/admin/usersessions/usersession/")
    addresses = owner_client.get("/admin/account/emailaddress/")

    assert sessions.status_code == 200
    assert addresses.status_code == 200
    places = [place for place, _categories, _staff in _accesses(learner)]
    assert places.count("admin:usersessions_usersession_changelist") == 1
    # The account's own address and the second one are both listed, each a row of its own.
    assert places.count("admin:account_emailaddress_changelist") == 2


def test_r35_admin_history_and_delete_pages_are_logged(owner, owner_client, learner):
    history = owner_client.get(f"/admin/accounts/user/{learner.pk}/history/")
    delete = owner_client.get(f"/admin/accounts/user/{learner.pk}/delete/")

    assert history.status_code == 200
    assert delete.status_code == 200
    assert [place for place, _c, _s in _accesses(learner)] == [
        "admin:accounts_user_history",
        "admin:accounts_user_delete",
    ]


def test_r35_a_page_without_personal_data_logs_nothing(owner_client):
    response = owner_client.get("/admin/commerce/vatrate/")

    assert response.status_code == 200
    assert StaffAccess.objects.count() == 0


def test_r35_autocomplete_logs_the_people_it_answered_with(owner, owner_client, learner):
    response = owner_client.get(
        "/admin/autocomplete/",
        {
            "term": learner.email,
            "app_label": "account",
            "model_name": "emailaddress",
            "field_name": "user",
        },
    )

    assert response.status_code == 200
    assert [result["id"] for result in json.loads(response.content)["results"]] == [str(learner.pk)]
    assert [place for place, _c, _s in _accesses(learner)] == ["admin:autocomplete:accounts.user"]


def test_r35_admin_index_does_not_repeat_a_person_in_recent_actions(owner, owner_client, learner):
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(learner),
        object_id=str(learner.pk),
        object_repr=learner.email,
        action_flag=CHANGE,
        change_message="[]",
    )

    response = owner_client.get("/admin/")

    assert response.status_code == 200
    assert learner.email not in response.content.decode()


def test_r35_every_registered_admin_logs_what_it_shows():
    """By construction: the site gives every model admin the logging, third-party ones too."""
    unlogged = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AccessLoggedAdmin)
    ]

    assert unlogged == []


def test_r35_a_role_changed_in_the_admin_goes_through_the_role_service(
    owner, owner_client, learner
):
    page = owner_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update({"role": Role.SUPPORT, "date_joined_0": "", "date_joined_1": ""})
    for name in ("date_joined", "last_login", "adult_confirmed_at", "is_staff"):
        data.pop(name, None)

    response = owner_client.post(f"/admin/accounts/user/{learner.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    learner.refresh_from_db()
    assert learner.role == Role.SUPPORT
    # The service, not the form, decides that support staff use the administration.
    assert learner.is_staff is True


def test_r35_the_person_sees_who_looked_where_and_at_what(owner, owner_client, learner):
    owner_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    mine = Client()
    mine.force_login(learner)

    page = mine.get("/me/privacy/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    [look] = page.context["seen_by"]
    assert (look.staff_name, look.staff_role, look.place, look.purpose) == (
        owner.full_name,
        "School owner",
        "the administration",
        "Your account",
    )
    assert "Contact details" in look.categories
    assert owner.full_name in page.content.decode()


def test_r35_the_privacy_officer_reads_the_log_by_person_staff_and_period(
    owner, owner_client, learner, token
):
    other = UserFactory()
    owner_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    owner_client.get(f"/admin/accounts/user/{other.pk}/change/")
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    AuthenticatorFactory(user=officer)
    reader = Client()
    reader.force_login(officer)

    by_person = reader.get("/staff/access-log/", {"person": learner.email.upper()})
    by_staff = reader.get("/staff/access-log/", {"staff": owner.email})
    too_early = reader.get("/staff/access-log/", {"until": "2020-01-01"})
    backwards = reader.get("/staff/access-log/", {"since": "2026-02-01", "until": "2026-01-01"})

    assert [line.person for line in by_person.context["lines"]] == [learner.email]
    assert sorted(line.person for line in by_staff.context["lines"]) == sorted(
        [learner.email, other.email]
    )
    assert too_early.context["lines"] == []
    assert backwards.status_code == 400
    # Reading the log about the learner was itself a look at their identity.
    assert StaffAccess.objects.filter(
        user=learner, staff=officer, place="privacy:access_log"
    ).exists()


def test_r35_support_staff_cannot_read_the_access_log(learner):
    support = StaffFactory(role=Role.SUPPORT)
    AuthenticatorFactory(user=support)
    client = Client()
    client.force_login(support)

    assert client.get("/staff/access-log/").status_code == 403
