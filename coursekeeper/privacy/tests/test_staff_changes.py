"""One audit trail for staff writes: the platform's pages and the administration share it."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.test import Client

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.services import assign_role
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import ProviderSettings, StaffAccess
from coursekeeper.privacy.services import update_provider_settings

pytestmark = pytest.mark.django_db


def _trail() -> list[tuple[int, str, str, int, str]]:
    return [
        # The stubs leave LogEntry's foreign keys untyped.
        (entry.user_id, entry.content_type.model, entry.object_id, entry.action_flag,  # type: ignore[attr-defined]
         entry.object_repr)
        for entry in LogEntry.objects.order_by("pk")
    ]  # fmt: skip


def test_r35_a_role_change_is_audited_in_its_own_transaction_naming_no_one():
    owner = StaffFactory(role=Role.OWNER)
    learner = UserFactory(full_name="Lea Larsen")

    assign_role(user=learner, role=Role.SUPPORT, acting_user=owner)
    assign_role(user=learner, role=Role.SUPPORT, acting_user=owner)  # no change, no row

    assert _trail() == [(owner.pk, "user", str(learner.pk), CHANGE, f"user {learner.pk}")]
    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Changed role (learner → support)."


def test_r35_provider_details_changed_by_the_privacy_officer_are_audited():
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)

    update_provider_settings(acting_user=officer, changes={"city": "Aarhus"})

    [(staff, model, object_id, flag, _text)] = _trail()
    assert (staff, model, object_id, flag) == (
        officer.pk,
        "providersettings",
        str(ProviderSettings.objects.get().pk),
        CHANGE,
    )


def test_r35_the_privacy_officer_reads_every_staff_change_and_the_look_is_logged():
    owner = StaffFactory(role=Role.OWNER)
    learner = UserFactory()
    assign_role(user=learner, role=Role.INSTRUCTOR, acting_user=owner)
    LogEntry.objects.create(
        user=owner,
        content_type_id=LogEntry.objects.get().content_type_id,
        object_id=str(owner.pk),
        object_repr="admin change",
        action_flag=ADDITION,
        change_message="[]",
    )
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    AuthenticatorFactory(user=officer)
    client = Client()
    client.force_login(officer)

    page = client.get("/staff/changes/", {"staff": owner.email})

    assert page.status_code == 200
    assert [(line.staff, line.record) for line in page.context["lines"]] == [
        (owner.email, str(owner.pk)),
        (owner.email, str(learner.pk)),
    ]
    assert StaffAccess.objects.filter(user=learner, place="privacy:staff_changes").count() == 1
