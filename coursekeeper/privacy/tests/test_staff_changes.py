"""One audit trail for staff writes: the platform's pages and the administration share it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import IntegrityError
from django.test import Client

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.accounts.services import assign_role
from coursekeeper.commerce.models import ShopSettings
from coursekeeper.commerce.oss import choose_destination_vat
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.learning.services import save_course
from coursekeeper.privacy import rights
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import ProviderSettings, Restriction, RightsRequest, StaffAccess
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


def test_r35_the_page_reads_the_platforms_changes_as_sentences_in_the_readers_language():
    owner = StaffFactory(role=Role.OWNER)
    learner = UserFactory()
    assign_role(user=learner, role=Role.INSTRUCTOR, acting_user=owner)
    request = rights.file_request(
        kind=RightsRequest.Kind.ACCESS,
        channel=RightsRequest.Channel.POST,
        email=learner.email,
        acting_user=owner,
        base_url="http://testserver/",
    )
    rights.extend_request(
        request_id=request.pk,
        acting_user=owner,
        months=2,
        reason="Archives.",
        base_url="http://testserver/",
    )
    again = rights.file_request(
        kind=RightsRequest.Kind.ACCESS,
        channel=RightsRequest.Channel.ACCOUNT,
        user=learner,
        base_url="http://testserver/",
    )
    rights.request_fee(
        request_id=again.pk,
        acting_user=owner,
        amount=Decimal("1250.50"),
        currency="DKK",
        reason="Paper copies.",
        base_url="http://testserver/",
    )
    readers = {}
    for language in ("en", "de"):
        officer = StaffFactory(role=Role.PRIVACY_OFFICER, language=language)
        AuthenticatorFactory(user=officer)
        readers[language] = Client()
        readers[language].force_login(officer)

    english = readers["en"].get("/staff/changes/")
    german = readers["de"].get("/staff/changes/")

    assert english.status_code == german.status_code == 200
    assert [(line.kind, line.action, line.message) for line in english.context["lines"]] == [
        ("Rights requests", "Fee of 1,250.50 DKK asked", ""),
        ("Rights requests", "Deadline extended by 2 months", ""),
        ("Rights requests", "Request logged (it came by email, post or phone)", ""),
        ("People", "changed", "Changed role (learner → instructor)."),
    ]
    assert "Fee of 1,250.50 DKK asked" in english.content.decode()
    # Read in the reader's language when the page is shown: German writes the amount its way.
    assert "1.250,50 DKK" in german.context["lines"][0].action


@pytest.mark.django_db(transaction=True)
def test_r35_a_change_whose_audit_row_cannot_be_written_is_not_made_either():
    """The audit row is written in the change's own transaction. Here the acting account was
    deleted while they worked, so the database refuses the row's link to them when the
    transaction commits; the change goes with it."""
    course = CourseFactory(is_published=False)
    learner = UserFactory()
    rights.restrict_processing(user=learner, base_url="http://testserver/")
    gone = StaffFactory(role=Role.OWNER)
    User.objects.filter(pk=gone.pk).delete()

    with pytest.raises(IntegrityError):
        choose_destination_vat(acting_user=gone, chosen=True)
    course.is_published = True
    with pytest.raises(IntegrityError):
        save_course(acting_user=gone, course=course)
    with pytest.raises(IntegrityError):
        rights.lift_restriction(user=learner, acting_user=gone)

    assert ShopSettings.current().destination_vat_chosen_at is None
    course.refresh_from_db()
    assert course.is_published is False
    assert Restriction.objects.get(user=learner).lifted_at is None
    assert LogEntry.objects.count() == 0
