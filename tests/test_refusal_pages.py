"""One way to refuse: the pages that turned an app's refusal into an answer by hand (a bare 404
or 403, a message flashed after a redirect) answer through the shared decorator now, with the
refusal's translated message and status, and change nothing (R32, R34, R35, R4, R13, R15, R17).

Every person here reads Danish, so the test sees the message translated, not its English source.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.commerce.factories import OrderFactory
from coursekeeper.commerce.models import Order, Refund
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.newsletter.factories import NewsletterFactory
from coursekeeper.newsletter.models import Newsletter
from coursekeeper.privacy import rights
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import RightsRequest

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


def danish(role: str = Role.LEARNER) -> tuple[Any, Client]:
    """A signed-in person reading Danish; staff with their second factor set up."""
    person = (UserFactory if role == Role.LEARNER else StaffFactory)(role=role, language="da")
    if role != Role.LEARNER:
        AuthenticatorFactory(user=person)
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(person)
    return person, client


@dataclass
class Case:
    role: str
    method: str
    url: Callable[[], str]
    status: int
    message: str
    data: dict | None = None
    unchanged: Callable[[], Any] = lambda: None


def _answered_request() -> RightsRequest:
    request = rights.file_request(
        kind=RightsRequest.Kind.RECTIFICATION,
        channel=RightsRequest.Channel.ACCOUNT,
        user=UserFactory(),
        base_url=BASE,
    )
    rights.answer_request(request_id=request.pk, acting_user=None, answer="Done.", base_url=BASE)
    return request


def _cases() -> dict[str, Case]:
    someone_elses = OrderFactory()
    sent = NewsletterFactory(status=Newsletter.Status.SENDING)
    answered = _answered_request()
    return {
        "an unknown contact": Case(
            Role.SUPPORT,
            "get",
            lambda: reverse("contact:detail", args=[987654]),
            404,
            "Kontakten findes ikke.",
        ),
        "an unknown order, for staff": Case(
            Role.SUPPORT,
            "get",
            lambda: reverse("commerce_staff:order", args=[uuid.uuid4()]),
            404,
            "Ordren findes ikke.",
        ),
        "an unknown invoice, for staff": Case(
            Role.SUPPORT,
            "get",
            lambda: reverse("invoices:staff_document", args=["2099-99999"]),
            404,
            "Fakturaen findes ikke.",
        ),
        "withdrawing from someone else's order": Case(
            Role.LEARNER,
            "post",
            lambda: reverse("commerce_account:withdraw", args=[someone_elses.public_id]),
            404,
            "Ordren findes ikke.",
            unchanged=lambda: (
                Refund.objects.count(),
                Order.objects.get(pk=someone_elses.pk).withdrawn_at,
            ),
        ),
        "cancelling a subscription that is not there": Case(
            Role.LEARNER,
            "post",
            lambda: reverse("commerce_account:cancel", args=[987654]),
            404,
            "Abonnementet findes ikke.",
        ),
        "an unknown newsletter": Case(
            Role.SUPPORT,
            "get",
            lambda: reverse("newsletter:staff_detail", args=[987654]),
            404,
            "Nyhedsbrevet findes ikke.",
        ),
        "changing a newsletter being sent": Case(
            Role.SUPPORT,
            "post",
            lambda: reverse("newsletter:staff_edit", args=[sent.pk]),
            400,
            "Dette nyhedsbrev er allerede ved at blive sendt eller er sendt. Det kan ikke ændres.",
            data={"subject_en": "Changed", "body_en": "Changed."},
            unchanged=lambda: Newsletter.objects.values_list("subject_en", "body_en").get(),
        ),
        "an unknown rights request": Case(
            Role.PRIVACY_OFFICER,
            "get",
            lambda: reverse("privacy:request_detail", args=[987654]),
            404,
            "Anmodningen findes ikke.",
        ),
        "carrying out a closed request": Case(
            Role.PRIVACY_OFFICER,
            "post",
            lambda: reverse("privacy:request_action", args=[answered.pk, "carry_out"]),
            400,
            "Anmodningen er allerede afsluttet. Intet er ændret.",
            unchanged=lambda: list(
                RightsRequest.objects.values_list("status", "answer").order_by("pk")
            ),
        ),
        "an unknown recipient in the register": Case(
            Role.PRIVACY_OFFICER,
            "get",
            lambda: reverse("privacy:recipient_edit", args=[987654]),
            404,
            "Modtageren findes ikke.",
        ),
        "an unknown course in the editor": Case(
            Role.OWNER,
            "get",
            lambda: reverse("learning:editor_course", args=["no-such-course"]),
            404,
            "Kurset findes ikke eller er ikke udgivet.",
        ),
    }


CASE_NAMES = [
    "an unknown contact",
    "an unknown order, for staff",
    "an unknown invoice, for staff",
    "withdrawing from someone else's order",
    "cancelling a subscription that is not there",
    "an unknown newsletter",
    "changing a newsletter being sent",
    "an unknown rights request",
    "carrying out a closed request",
    "an unknown recipient in the register",
    "an unknown course in the editor",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_a_refused_page_says_why_in_the_persons_language_with_its_status_and_changes_nothing(
    name,
):
    case = _cases()[name]
    _person, client = danish(case.role)
    before = case.unchanged()

    response = getattr(client, case.method)(case.url(), case.data or {})

    assert response.status_code == case.status
    page = response.content.decode()
    assert case.message in page
    assert "Ikke muligt" in page  # the shared refusal page, in Danish
    assert case.unchanged() == before


def test_r32_a_refused_staff_action_comes_back_on_the_requests_page_and_changes_nothing():
    """Extending after the first month is refused (Art. 12(3)): the request's page again, the
    reason at its head, status 400; no extension, no history line, no email."""
    _officer, client = danish(Role.PRIVACY_OFFICER)
    request = rights.file_request(
        kind=RightsRequest.Kind.ACCESS,
        channel=RightsRequest.Channel.EMAIL,
        email="late@example.org",
        acting_user=StaffFactory(role=Role.PRIVACY_OFFICER),
        received_at=timezone.now() - dt.timedelta(days=40),
        base_url=BASE,
    )
    mails = OutboxMessage.objects.count()

    response = client.post(
        reverse("privacy:request_action", args=[request.pk, "extend"]),
        {"months": "2", "reason": "Arkiverne ligger på papir"},
    )

    assert response.status_code == 400
    assert response.templates[0].name == "privacy/request_detail.html"
    assert "Den første måned til at svare er gået" in response.content.decode()
    request.refresh_from_db()
    assert (request.extended_until, request.extension_reason) == (None, "")
    assert list(request.events.values_list("action", flat=True)) == ["filed"]
    assert OutboxMessage.objects.count() == mails


def test_r35_a_refusal_asked_for_as_json_is_answered_as_json():
    _staff, client = danish(Role.SUPPORT)

    response = client.get(reverse("contact:detail", args=[987654]), HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (404, {"error": "Kontakten findes ikke."})
