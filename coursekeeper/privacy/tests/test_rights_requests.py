"""R27, R30, R31, R32: rights requests on the legal clock, from the account, a form and staff."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, StaffFactory, UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy import rights
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.factories import ConsentFactory
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, Restriction, RightsRequest, StaffAccess
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
Kind = RightsRequest.Kind
Channel = RightsRequest.Channel
Status = RightsRequest.Status


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def outbox_subjects(email: str) -> list[str]:
    return list(
        OutboxMessage.objects.filter(email=email).order_by("pk").values_list("subject", flat=True)
    )


def last_mail() -> OutboxMessage:
    """Return the newest message in the outbox."""
    message = OutboxMessage.objects.order_by("pk").last()
    assert message is not None
    return message


def confirmation_link(body: str) -> str:
    """Return the path of the confirmation link in a mail's text."""
    found = re.search(r"http://testserver(/privacy/request/confirm/[^/\s]+/)", body)
    assert found is not None, "no confirmation link in the mail"
    return found.group(1)


def actions(request: RightsRequest) -> list[str]:
    return list(request.events.values_list("action", flat=True))


def test_r32_a_month_is_a_calendar_month_and_the_end_of_a_short_month_caps_it():
    moment = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)
    assert rights.add_months(moment, 1) == dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)
    assert rights.add_months(moment, 3) == dt.datetime(2026, 4, 30, 10, tzinfo=dt.UTC)
    assert rights.add_months(dt.datetime(2026, 11, 15, tzinfo=dt.UTC), 2).year == 2027


def test_r32_a_learner_files_a_correction_from_the_account_and_gets_a_receipt():
    learner = UserFactory(language="da")
    client = signed_in(learner)
    page = client.get(reverse("privacy:my_privacy"))
    found = re.search(r'name="correction-submission_key" value="([^"]+)"', page.content.decode())
    assert found is not None
    key = found.group(1)

    for _click in range(2):  # a double-clicked submit
        response = client.post(
            reverse("privacy:request_correction"),
            {
                "correction-details": "My birth year is 1990, not 1909.",
                "correction-submission_key": key,
            },
        )
        assert response.status_code == 302

    request = RightsRequest.objects.get()
    assert (request.kind, request.channel, request.status) == (
        Kind.RECTIFICATION,
        Channel.ACCOUNT,
        Status.OPEN,
    )
    assert request.received_at is not None
    assert request.due_at == rights.add_months(request.received_at, 1)
    assert actions(request) == ["filed"]
    (receipt,) = OutboxMessage.objects.filter(email=learner.email)
    assert receipt.language == "da"
    assert "Vi har modtaget din anmodning" in receipt.subject
    assert "Your requests" not in client.get(reverse("privacy:my_privacy")).content.decode()


def test_r32_a_visitor_request_counts_once_confirmed_and_unknown_addresses_look_the_same():
    UserFactory(email="known@example.org")
    client = Client()
    responses = []
    for address in ("known@example.org", "nobody-here@example.org"):
        response = client.post(
            reverse("privacy:visitor_request"),
            {"kind": Kind.ACCESS, "email": address, "details": ""},
        )
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        responses.append((response.status_code, page))
    assert responses[0] == responses[1]
    assert responses[0][0] == 200
    assert RightsRequest.objects.filter(status=Status.UNCONFIRMED).count() == 2
    assert not RightsRequest.objects.filter(due_at__isnull=False).exists()

    body = OutboxMessage.objects.get(email="known@example.org").body_text
    link = confirmation_link(body)
    assert client.get(link).status_code == 200  # a link scanner opening it confirms nothing
    assert RightsRequest.objects.filter(status=Status.OPEN).count() == 0

    assert client.post(link).status_code == 200
    confirmed = RightsRequest.objects.get(email="known@example.org")
    assert confirmed.status == Status.OPEN
    assert confirmed.user is not None
    assert actions(confirmed) == ["filed", "confirmed"]

    reused = client.post(link)
    assert reused.status_code == 400
    assert "expired or was already used" in reused.content.decode()


def test_r32_an_expired_confirmation_link_changes_nothing_and_the_clock_drops_it():
    with time_machine.travel(timezone.now() - dt.timedelta(days=4)):
        rights.file_request(
            kind=Kind.ERASURE, channel=Channel.WEB_FORM, email="late@example.org", base_url=BASE
        )
    body = OutboxMessage.objects.get(email="late@example.org").body_text
    link = confirmation_link(body)

    assert Client().post(link).status_code == 400
    assert RightsRequest.objects.get().status == Status.UNCONFIRMED
    call_command("privacy_request_clock")
    assert RightsRequest.objects.count() == 0


def test_r32_only_the_privacy_roles_see_the_queue():
    UserFactory()  # a learner
    assert signed_in(UserFactory()).get(reverse("privacy:request_queue")).status_code == 403
    support = staff_client(Role.SUPPORT)
    assert support.get(reverse("privacy:request_queue")).status_code == 403
    assert support.post(reverse("privacy:request_action", args=[1, "answer"])).status_code == 403
    officer = staff_client(Role.PRIVACY_OFFICER)
    assert officer.get(reverse("privacy:request_queue")).status_code == 200


def test_r32_staff_log_a_phone_request_and_the_queue_sorts_by_deadline_with_overdue_marked():
    officer = staff_client(Role.PRIVACY_OFFICER)
    today = timezone.localdate()
    for email, days_ago in (("recent@example.org", 2), ("old@example.org", 40)):
        response = officer.post(
            reverse("privacy:log_request"),
            {
                "kind": Kind.ACCESS,
                "channel": Channel.PHONE,
                "email": email,
                "received_on": (today - dt.timedelta(days=days_ago)).isoformat(),
                "language": "de",
                "details": "Called in.",
            },
        )
        assert response.status_code == 302
    old = RightsRequest.objects.get(email="old@example.org")
    assert old.channel == Channel.PHONE
    assert old.logged_by is not None
    assert "Wir haben deine Anfrage erhalten" in outbox_subjects("old@example.org")[0]

    future = officer.post(
        reverse("privacy:log_request"),
        {
            "kind": Kind.ACCESS,
            "channel": Channel.EMAIL,
            "email": "x@example.org",
            "received_on": (today + dt.timedelta(days=1)).isoformat(),
            "language": "en",
        },
    )
    assert future.status_code == 400
    assert "cannot arrive in the future" in future.content.decode()

    page = officer.get(reverse("privacy:request_queue")).content.decode()
    assert page.index(f"#{old.pk}<") < page.index(
        f"#{RightsRequest.objects.get(email='recent@example.org').pk}<"
    )
    assert "days overdue" in page
    assert 'class="row-overdue"' in page


def test_r32_an_extension_is_once_at_most_two_months_and_tells_the_person_why():
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    request = rights.file_request(
        kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )
    with pytest.raises(PrivacyError) as too_long:
        rights.extend_request(
            request_id=request.pk,
            acting_user=officer,
            months=3,
            reason="Many systems",
            base_url=BASE,
        )
    assert too_long.value.code == "extension_too_long"

    rights.extend_request(
        request_id=request.pk,
        acting_user=officer,
        months=2,
        reason="Archives on paper",
        base_url=BASE,
    )
    request.refresh_from_db()
    assert request.due_at is not None
    assert request.extended_until == rights.add_months(request.due_at, 2)
    assert "Archives on paper" in last_mail().body_text

    with pytest.raises(PrivacyError) as again:
        rights.extend_request(
            request_id=request.pk, acting_user=officer, months=1, reason="More", base_url=BASE
        )
    assert again.value.code == "already_extended"
    assert actions(request) == ["filed", "extended"]


COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def test_r32_an_extension_after_the_first_month_is_refused_and_changes_nothing():
    """R32 (Art. 12(3)): the person must be told of an extension within one month of receipt.
    Received on 10 April, the first month's last day is 10 May: an extension late that evening
    is granted; one on 11 May, day 31, is refused and changes nothing."""
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=COPENHAGEN), tick=False):
        request = rights.file_request(
            kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
        )
    mails_before = OutboxMessage.objects.count()

    with (
        time_machine.travel(dt.datetime(2026, 5, 11, 9, 0, tzinfo=COPENHAGEN), tick=False),
        pytest.raises(PrivacyError) as late,
    ):
        rights.extend_request(
            request_id=request.pk, acting_user=officer, months=2, reason="Archives", base_url=BASE
        )

    assert late.value.code == "extension_too_late"
    assert "within that month" in late.value.message
    request.refresh_from_db()
    assert (request.extended_until, request.extension_reason) == (None, "")
    assert actions(request) == ["filed"]
    assert OutboxMessage.objects.count() == mails_before

    with time_machine.travel(dt.datetime(2026, 5, 10, 23, 30, tzinfo=COPENHAGEN), tick=False):
        rights.extend_request(
            request_id=request.pk, acting_user=officer, months=2, reason="Archives", base_url=BASE
        )

    request.refresh_from_db()
    assert timezone.localtime(request.due_at, COPENHAGEN) == dt.datetime(
        2026, 5, 10, 10, 0, tzinfo=COPENHAGEN
    )
    assert request.due_at is not None
    assert request.extended_until == rights.add_months(request.due_at, 2)
    assert actions(request) == ["filed", "extended"]
    assert OutboxMessage.objects.count() == mails_before + 1


def test_r32_the_request_page_offers_an_extension_only_within_the_first_month():
    learner = UserFactory()
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        late = rights.file_request(
            kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
        )
    fresh = rights.file_request(
        kind=Kind.RECTIFICATION, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )
    officer = staff_client(Role.PRIVACY_OFFICER)

    late_page = officer.get(reverse("privacy:request_detail", args=[late.pk])).content.decode()
    fresh_page = officer.get(reverse("privacy:request_detail", args=[fresh.pk])).content.decode()

    assert "Extend the deadline" not in late_page
    assert "Extend the deadline" in fresh_page


def test_r32_the_same_request_within_12_months_is_flagged_and_staff_decide():
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    first = rights.file_request(
        kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )
    with pytest.raises(PrivacyError) as not_flagged:
        rights.refuse_request(
            request_id=first.pk, acting_user=officer, reason="Again", base_url=BASE
        )
    assert not_flagged.value.code == "not_excessive"

    second = rights.file_request(
        kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )
    other_kind = rights.file_request(
        kind=Kind.RECTIFICATION, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )
    assert (first.possibly_excessive, second.possibly_excessive) == (False, True)
    assert other_kind.possibly_excessive is False

    rights.request_fee(
        request_id=second.pk,
        acting_user=officer,
        amount=Decimal("150.00"),
        currency="DKK",
        reason="The third copy this year.",
        base_url=BASE,
    )
    second.refresh_from_db()
    assert second.status == Status.AWAITING_FEE
    fee_mail = last_mail()
    assert "150.00 DKK" in fee_mail.body_text

    rights.refuse_request(
        request_id=second.pk, acting_user=officer, reason="Unfounded.", base_url=BASE
    )
    second.refresh_from_db()
    assert second.status == Status.REFUSED
    refusal = last_mail().body_text
    assert "complain to a supervisory authority" in refusal
    assert actions(second) == ["filed", "fee_requested", "refused"]

    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        later = rights.file_request(
            kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
        )
    assert later.possibly_excessive is False


def test_r32_a_state_change_and_its_audit_line_and_email_commit_together(monkeypatch):
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    request = rights.file_request(
        kind=Kind.RECTIFICATION, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )

    def outbox_down(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(rights.history, "queue_email", outbox_down)
    with pytest.raises(RuntimeError):
        rights.answer_request(
            request_id=request.pk, acting_user=officer, answer="Corrected.", base_url=BASE
        )
    request.refresh_from_db()
    assert (request.status, request.answer) == (Status.OPEN, "")
    assert actions(request) == ["filed"]
    assert audit_trail() == []  # the staff audit row went with the answer


def test_r32_staff_answer_from_the_detail_page_which_logs_the_view():
    learner = UserFactory()
    request = rights.file_request(
        kind=Kind.RECTIFICATION,
        channel=Channel.ACCOUNT,
        user=learner,
        details="Wrong name",
        base_url=BASE,
    )
    officer = staff_client(Role.PRIVACY_OFFICER)
    page = officer.get(reverse("privacy:request_detail", args=[request.pk]))
    assert page.status_code == 200
    assert "Wrong name" in page.content.decode()

    empty = officer.post(reverse("privacy:request_action", args=[request.pk, "answer"]), {})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    request.refresh_from_db()
    assert request.status == Status.OPEN

    officer.post(
        reverse("privacy:request_action", args=[request.pk, "answer"]),
        {"answer": "We corrected your name."},
    )
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert actions(request) == ["filed", "answered"]
    # The page, and the page again with the refused empty answer: each showed the request.
    assert list(StaffAccess.objects.filter(user=learner).values_list("place", "object_id")) == [
        ("privacy:request_detail", str(request.pk)),
        ("privacy:request_detail", str(request.pk)),
    ]
    assert "We corrected your name." in last_mail().body_text

    closed = officer.post(
        reverse("privacy:request_action", args=[request.pk, "answer"]), {"answer": "Again"}
    )
    assert closed.status_code == 400
    assert "This request is already closed; nothing was changed." in closed.content.decode()
    request.refresh_from_db()
    assert request.answer == "We corrected your name."


def test_r32_the_scheduler_alerts_staff_once_per_deadline():
    officer = StaffFactory(role=Role.PRIVACY_OFFICER, language="en")
    learner = UserFactory()
    with time_machine.travel(timezone.now() - dt.timedelta(days=26)):
        request = rights.file_request(
            kind=Kind.ACCESS, channel=Channel.ACCOUNT, user=learner, base_url=BASE
        )
    rights.file_request(
        kind=Kind.RECTIFICATION, channel=Channel.ACCOUNT, user=learner, base_url=BASE
    )

    call_command("privacy_request_clock")
    call_command("privacy_request_clock")

    alerts = OutboxMessage.objects.filter(email=officer.email)
    assert alerts.count() == 1
    assert f"#{request.pk} " in alerts.get().body_text
    assert "1 privacy request is close to its deadline" in alerts.get().subject

    rights.extend_request(
        request_id=request.pk, acting_user=officer, months=1, reason="Busy", base_url=BASE
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=28)):
        call_command("privacy_request_clock")
    assert OutboxMessage.objects.filter(email=officer.email).count() == 2


def test_r30_restriction_pauses_processing_but_storage_until_lifted():
    learner = UserFactory()
    client = signed_in(learner)
    person = Person.for_user(learner)
    security = ALL_PURPOSES["security"]
    assert may_process(person, security)

    client.post(
        reverse("privacy:request_restriction"), {"restriction-details": "My data is wrong."}
    )

    assert not may_process(person, security)
    assert may_process(person, ALL_PURPOSES["privacy_rights"])  # a legal obligation
    request = RightsRequest.objects.get(kind=Kind.RESTRICTION)
    assert request.is_open and actions(request) == ["filed", "carried_out"]
    assert "restricted" in client.get(reverse("privacy:my_privacy")).content.decode()

    client.post(reverse("privacy:lift_restriction"))
    assert may_process(person, security)


def test_r31_objection_stops_an_objectable_purpose_and_others_are_refused():
    learner = UserFactory()
    client = signed_in(learner)
    person = Person.for_user(learner)
    recommendations = ALL_PURPOSES["shape_recommendations"]
    assert may_process(person, recommendations)
    page = client.get(reverse("privacy:my_privacy")).content.decode()
    assert "Object to: Recommendations (test)" in page

    client.post(reverse("privacy:object_to_purpose"), {"purpose": "shape_recommendations"})
    assert not may_process(person, recommendations)
    request = RightsRequest.objects.get(kind=Kind.OBJECTION)
    assert request.status == Status.ANSWERED

    refused = client.post(reverse("privacy:object_to_purpose"), {"purpose": "security"})
    assert refused.status_code == 400
    assert "That processing cannot be objected to here." in refused.content.decode()
    assert RightsRequest.objects.filter(kind=Kind.OBJECTION).count() == 1
    assert may_process(person, ALL_PURPOSES["security"])


def test_r31_withdrawing_a_consent_is_one_step_and_leaves_the_courses_alone():
    learner = UserFactory()
    consent = ConsentFactory(user=learner, purpose="shape_newsletter")
    person = Person.for_user(learner)
    assert may_process(person, ALL_PURPOSES["shape_newsletter"])
    client = signed_in(learner)

    client.post(reverse("privacy:withdraw_consent", args=[consent.pk]))

    assert not may_process(person, ALL_PURPOSES["shape_newsletter"])
    assert may_process(person, ALL_PURPOSES["deliver_courses"])
    other = UserFactory()
    foreign = ConsentFactory(user=other, purpose="shape_newsletter")
    client.post(reverse("privacy:withdraw_consent", args=[foreign.pk]))
    foreign.refresh_from_db()
    assert foreign.withdrawn_at is None


def test_r29_erasure_from_the_account_needs_the_password_and_nothing_changes_without_it():
    learner = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    wrong = client.post(reverse("privacy:erase_account"), {"password": "not-it"})
    assert wrong.status_code == 400
    assert "The password is not right." in wrong.content.decode()
    learner.refresh_from_db()
    assert learner.is_active
    assert not RightsRequest.objects.exists()


def test_r46_the_erase_page_says_proofs_are_kept_for_legal_claims_and_until_when(token):
    """R46, GDPR Art. 17(3)(b) and (e): the invoice is kept because the bookkeeping law says
    so; the waiver and the consent are kept to defend legal claims, which no law requires, and
    each shows its day: the waiver its own, the consent in force the day an erasure now gives
    it (German: three years from the end of this year)."""
    from coursekeeper.commerce.factories import InvoiceFactory, WithdrawalWaiverFactory

    user = UserFactory(email=f"erase-{token}@example.org", language="en")
    InvoiceFactory(buyer=user, release_at=dt.datetime(2032, 1, 1, tzinfo=dt.UTC))
    WithdrawalWaiverFactory(buyer=user, proof_release_at=dt.datetime(2029, 5, 2, 12, tzinfo=dt.UTC))
    ConsentFactory(user=user, country="DE")  # in force: its hold starts with the erasure

    page = signed_in(user).get(reverse("privacy:erase_account")).content.decode()

    by_law = page[page.index("What a law makes us keep") : page.index("</table>")]
    for_claims = page[page.index("What we keep to defend legal claims") :]
    for_claims = for_claims[: for_claims.index("</table>")]
    assert "Invoices (1)" in by_law and "bogføringsloven" in by_law
    assert "Withdrawal waivers" not in by_law and "Consents" not in by_law
    assert "No law obliges us to keep these" in for_claims
    assert "GDPR Art. 17(3)(e)" in for_claims
    assert "Limitation period" in for_claims
    assert "Withdrawal waivers (1)</td><td>forældelsesloven § 3</td><td>2 May 2029" in for_claims
    consent_until = f"1 January {timezone.now().year + 4}"
    assert f"Consents (1)</td><td>§§ 195, 199 BGB</td><td>{consent_until}" in for_claims
    assert "<td>\u2013</td>" not in page  # the dash shown for an unknown day


def test_r29_staff_carry_out_the_erasure_of_someone_without_an_account():
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    ConsentFactory(user=None, email="visitor@example.org", purpose="shape_newsletter")
    ConsentFactory(user=None, email="someone-else@example.org", purpose="shape_newsletter")
    request = rights.file_request(
        kind=Kind.ERASURE,
        channel=Channel.EMAIL,
        email="visitor@example.org",
        acting_user=officer,
        base_url=BASE,
    )

    rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)

    # Consent proofs are kept, withdrawn, until the limitation period ends; the other's stands.
    assert sorted(
        (consent.email, consent.withdrawn_at is None) for consent in Consent.objects.all()
    ) == [("someone-else@example.org", True), ("visitor@example.org", False)]
    request.refresh_from_db()
    assert (request.status, request.email) == (Status.ANSWERED, "")
    answer = OutboxMessage.objects.get(template="privacy/request_answered")
    assert (answer.email, answer.forget_after_sending) == ("visitor@example.org", True)
    assert "What we erased:" in answer.body_text
    # The receipt sent earlier went with the rest of what was held under the address.
    assert not OutboxMessage.objects.filter(template="privacy/request_receipt").exists()


def test_r28_access_for_someone_without_an_account_is_answered_by_hand():
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    request = rights.file_request(
        kind=Kind.ACCESS,
        channel=Channel.POST,
        email="letter@example.org",
        acting_user=officer,
        base_url=BASE,
    )
    with pytest.raises(PrivacyError) as refused:
        rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)
    assert refused.value.code == "no_account"
    request.refresh_from_db()
    assert request.status == Status.OPEN


def test_r32_the_public_form_sends_one_address_at_most_three_links_an_hour():
    client = Client()
    pages = set()
    for _attempt in range(5):
        response = client.post(
            reverse("privacy:visitor_request"),
            {"kind": Kind.ACCESS, "email": "flooded@example.org", "details": ""},
        )
        assert response.status_code == 200
        pages.add(re.sub(r'value="[^"]+"', "", response.content.decode()))
    assert len(pages) == 1
    assert OutboxMessage.objects.filter(email="flooded@example.org").count() == 3
    assert RightsRequest.objects.filter(email="flooded@example.org").count() == 3


def test_r32_a_person_marks_their_own_request_urgent_and_the_queue_flags_it():
    learner = UserFactory()
    client = signed_in(learner)

    client.post(
        reverse("privacy:request_correction"),
        {"correction-details": "My name is misspelt on my certificate.", "correction-urgent": "on"},
    )
    client.post(
        reverse("privacy:request_restriction"),
        {"restriction-details": "Wrong data is being used.", "restriction-urgent": ""},
    )
    queue = staff_client(Role.PRIVACY_OFFICER).get(reverse("privacy:request_queue"))

    assert dict(RightsRequest.objects.values_list("kind", "urgent")) == {
        Kind.RECTIFICATION: True,
        Kind.RESTRICTION: False,
    }
    assert queue.content.decode().count('class="badge badge-danger">Urgent<') == 1


def test_r32_the_forms_on_my_data_repeat_no_id():
    page = signed_in(UserFactory()).get(reverse("privacy:my_privacy")).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', page)

    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []


# --- The staff audit trail (R35) ------------------------------------------------------------------


def test_r35_staff_logging_flagging_extending_noting_and_answering_are_audited_refusals_not():
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)

    logged = rights.file_request(
        kind=Kind.ACCESS,
        channel=Channel.PHONE,
        email=learner.email,
        acting_user=officer,
        base_url=BASE,
    )
    refused = []
    for refusal in (
        lambda: rights.file_request(
            kind=Kind.ACCESS,
            channel=Channel.EMAIL,
            email=learner.email,
            acting_user=officer,
            received_at=timezone.now() + dt.timedelta(days=1),
            base_url=BASE,
        ),
        lambda: rights.extend_request(
            request_id=logged.pk, acting_user=officer, months=3, reason="x", base_url=BASE
        ),
        lambda: rights.add_note(request_id=logged.pk, acting_user=officer, note="  "),
    ):
        with pytest.raises(PrivacyError) as error:
            refusal()
        refused.append(error.value.code)
    rights.mark_urgent(request_id=logged.pk, acting_user=officer, urgent=True)
    rights.mark_urgent(request_id=logged.pk, acting_user=officer, urgent=False)
    rights.extend_request(
        request_id=logged.pk, acting_user=officer, months=2, reason="Archives", base_url=BASE
    )
    rights.add_note(request_id=logged.pk, acting_user=officer, note="Called back.")
    rights.answer_request(
        request_id=logged.pk, acting_user=officer, answer="Here it is.", base_url=BASE
    )
    with pytest.raises(PrivacyError) as closed:
        rights.answer_request(
            request_id=logged.pk, acting_user=officer, answer="Again.", base_url=BASE
        )

    assert refused == ["received_in_future", "extension_too_long", "note_needed"]
    assert closed.value.code == "request_closed"
    assert RightsRequest.objects.count() == 1
    assert audit_trail() == [
        (officer.pk, "rightsrequest", str(logged.pk), text)
        for text in (
            "Request logged (it came by email, post or phone)",
            "Request marked urgent",
            "Request no longer marked urgent",
            "Deadline extended by 2 months",
            "Note added to the request",
            "Request answered",
        )
    ]


def test_r35_staff_charging_refusing_carrying_out_and_lifting_are_audited_the_person_is_not():
    learner = UserFactory()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    first, second, third = (
        rights.file_request(
            kind=Kind.RECTIFICATION, channel=Channel.ACCOUNT, user=learner, base_url=BASE
        )
        for _time in range(3)
    )
    rights.restrict_processing(user=learner, base_url=BASE)

    with pytest.raises(PrivacyError) as not_excessive:
        rights.refuse_request(
            request_id=first.pk, acting_user=officer, reason="Again.", base_url=BASE
        )
    rights.request_fee(
        request_id=second.pk,
        acting_user=officer,
        amount=Decimal("25.00"),
        currency="DKK",
        reason="A third copy.",
        base_url=BASE,
    )
    rights.refuse_request(
        request_id=third.pk, acting_user=officer, reason="Unfounded.", base_url=BASE
    )
    rights.carry_out_request(request_id=first.pk, acting_user=officer, base_url=BASE)
    lifted = rights.lift_restriction(user=learner, acting_user=officer)

    assert not_excessive.value.code == "not_excessive"
    assert lifted == 1
    restriction = Restriction.objects.get(user=learner)
    assert audit_trail() == [
        (officer.pk, "rightsrequest", str(second.pk), "Fee of 25.00 DKK asked"),
        (officer.pk, "rightsrequest", str(third.pk), "Request refused with reasons"),
        (officer.pk, "rightsrequest", str(first.pk), "Request carried out"),
        (officer.pk, "restriction", str(restriction.pk), "Restriction of processing lifted"),
    ]
