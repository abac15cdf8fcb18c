"""R34: the operations role sees how the platform runs, never whose contact data or learning."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import StaffAccess
from coursekeeper.security.factories import SecurityEventFactory
from coursekeeper.security.services import pseudonym

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> tuple[Client, User]:
    person = StaffFactory(role=role)
    AuthenticatorFactory(user=person)
    client = Client()
    client.force_login(person)
    return client, person


def test_r34_operations_sees_failed_jobs_and_security_events_by_pseudonym(token):
    learner = UserFactory(full_name=f"Lea {token}")
    OutboxMessageFactory(
        status=JobStatus.FAILED,
        attempts=8,
        last_error_code="smtp_550",
        finished_at=timezone.now(),
        email=f"lost-{token}@example.org",
        subject=f"Subject {token}",
    )
    SecurityEventFactory(user=learner, ip="198.51.100.23")
    client, operator = signed_in(Role.OPERATIONS)

    page = client.get("/staff/operations/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "smtp_550" in html
    assert "198.51.100.23" in html
    assert pseudonym(learner.pk) in html
    # Nothing that names or reaches a person: no name, address or subject.
    assert token not in html
    assert learner.email not in html
    [outbox] = [job for job in page.context["jobs"] if job.failures]
    assert (outbox.counts["failed"], outbox.failures[0]["last_error_code"]) == (1, "smtp_550")
    # The security log's addresses are personal data: the look is logged.
    assert list(
        StaffAccess.objects.filter(user=learner).values_list("staff", "place", "categories")
    ) == [(operator.pk, "jobs:operations", ["technical"])]


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.INSTRUCTOR, Role.PRIVACY_OFFICER])
def test_r34_other_staff_do_not_see_the_operations_page(role):
    client, _person = signed_in(role)

    assert client.get("/staff/operations/").status_code == 403
    assert StaffAccess.objects.count() == 0


def test_r34_operations_reaches_no_page_with_learning_or_contact_data():
    client, _operator = signed_in(Role.OPERATIONS)

    for path in ("/staff/contacts/", "/staff/orders/", "/staff/requests/", "/staff/invoices/"):
        assert client.get(path).status_code == 403, path
