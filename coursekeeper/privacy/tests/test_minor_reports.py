"""R1: anyone may report an account that belongs to a minor; the privacy officer's confirmation
erases it through the erasure job (R29), a dismissal keeps it, and bad input changes nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.commerce.factories import InvoiceFactory
from coursekeeper.commerce.models import Invoice
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy import jobs
from coursekeeper.privacy.factories import AuthenticatorFactory, MinorReportFactory
from coursekeeper.privacy.forms import new_submission_key
from coursekeeper.privacy.minors import services
from coursekeeper.privacy.models import (
    ErasureJob,
    MinorReport,
    ReporterAddress,
    StaffAccess,
)
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import export_person

pytestmark = pytest.mark.django_db

Status = MinorReport.Status
STAFF_ROUTES = [
    ("privacy:minor_reports", False),
    ("privacy:minor_report", True),
    ("privacy:minor_report_link", True),
    ("privacy:minor_report_dismiss", True),
    ("privacy:minor_report_confirm", True),
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(role: str = Role.PRIVACY_OFFICER):
    """Return a staff member of `role`, with two factors set up, and their signed-in client."""
    member = StaffFactory(role=role)
    AuthenticatorFactory(user=member)
    return member, signed_in(member)


def young_learner(token: str) -> User:
    return UserFactory(full_name=f"Mia {token} Young", email=f"mia-{token}@example.org")


def report_form(token: str, **changes) -> dict:
    data = {
        "about": "",
        "reasons": f"She told the class she is 13 and in year 7 ({token}).",
        "reply_to": f"parent-{token}@example.org",
        "submission_key": new_submission_key(),
    }
    data.update(changes)
    return data


def everything_about_reports() -> tuple:
    """Return what a report can change, to show that a refusal changed none of it."""
    return (
        list(MinorReport.objects.order_by("pk").values_list()),
        list(ReporterAddress.objects.order_by("pk").values_list()),
        list(OutboxMessage.objects.order_by("pk").values_list("pk", "email", "template")),
        list(ErasureJob.objects.values_list("pk", "user_id", "status")),
        list(User.objects.order_by("pk").values_list("pk", "is_active")),
        LogEntry.objects.count(),
    )


# --- The whole way: report, review, confirm, erased -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_r1_r29_a_confirmed_report_erases_the_account_keeps_its_invoice_and_tells_both(
    token, mailoutbox
):
    """Transactional: the erasure job and the outbox run after their commits, as in production."""
    learner = young_learner(token)
    invoice = InvoiceFactory(buyer=learner, token=token)
    reporter = f"parent-{token}@example.org"

    # A visitor reports the account by its address, typed in another case.
    response = Client().post(
        reverse("privacy:report_minor"), report_form(token, about=learner.email.upper())
    )
    assert response.status_code == 200
    assert "Thank you for your report" in response.content.decode()
    report = MinorReport.objects.get()
    assert (report.account_id, report.status) == (learner.pk, Status.RECEIVED)

    # The privacy officer reads the queue and the report; both views are logged.
    officer, client = staff()
    queue = client.get(reverse("privacy:minor_reports"))
    assert queue.status_code == 200
    assert learner.email.upper() in queue.content.decode()
    page = client.get(reverse("privacy:minor_report", args=[report.pk]))
    assert page.status_code == 200
    assert f"year 7 ({token})" in page.content.decode()
    assert sorted(
        StaffAccess.objects.filter(staff=officer).values_list("user_id", "email", "place"), key=str
    ) == sorted(
        [
            (learner.pk, "", "privacy:minor_reports"),
            (learner.pk, "", "privacy:minor_report"),
            (None, reporter, "privacy:minor_report"),
        ],
        key=str,
    )

    response = client.post(
        reverse("privacy:minor_report_confirm", args=[report.pk]),
        {"confirm-confirmed": "on", "confirm-note": "Her profile says she was born in 2013."},
    )

    assert response.status_code == 302
    assert User.objects.filter(pk=learner.pk).count() == 0
    job = ErasureJob.objects.get()
    assert (job.status, job.outcome["erased"]["accounts.User"]) == ("done", 1)
    # The invoice is held through the erasure (bookkeeping law), no longer linked to anyone.
    assert list(Invoice.objects.values_list("pk", "buyer_id")) == [(invoice.pk, None)]
    report.refresh_from_db()
    assert (report.status, report.decided_by_id, report.account_id) == (
        Status.CONFIRMED,
        officer.pk,
        None,
    )
    assert (report.about, report.reasons, report.decision_note) == ("", "", "")
    assert report.erased_at is not None
    assert ReporterAddress.objects.count() == 0
    assert LogEntry.objects.filter(
        user=officer,
        content_type=ContentType.objects.get_for_model(MinorReport),
        object_id=str(report.pk),
    ).exists()
    # Both emails went through the outbox, which forgot their addresses and text once sent.
    sent = {message.to[0]: message for message in mailoutbox}
    assert sorted(sent) == sorted([learner.email, reporter])
    assert sent[learner.email].subject == "Your account is closed and erased"
    assert "What a law makes us keep" in sent[learner.email].body
    assert "parent" not in sent[learner.email].body
    assert sent[reporter].subject == "Your report is closed"
    for trace in (learner.email, learner.full_name, token):
        assert trace not in sent[reporter].body
    assert sorted(
        OutboxMessage.objects.filter(
            template__in=["privacy/minor_account_erased", "privacy/minor_report_outcome"]
        ).values_list("template", "status", "email")
    ) == [
        ("privacy/minor_account_erased", "done", ""),
        ("privacy/minor_report_outcome", "done", ""),
    ]


def test_r1_confirming_one_report_decides_every_open_report_about_the_account(token):
    learner = young_learner(token)
    first = services.report_minor(
        about=learner.email, reasons="She is 12.", reply_to=f"a-{token}@example.org"
    )
    second = services.report_minor(about=learner.email, reasons="She is in year 6.")
    elsewhere = MinorReportFactory()
    officer, _client = staff()

    services.confirm_report(acting_user=officer, report_id=second.pk)

    assert sorted(MinorReport.objects.values_list("pk", "status")) == sorted(
        [(first.pk, Status.CONFIRMED), (second.pk, Status.CONFIRMED), (elsewhere.pk, "received")]
    )
    learner.refresh_from_db()
    assert learner.is_active is False  # closed at once; the job (after commit) erases it
    assert list(ErasureJob.objects.values_list("user_id", flat=True)) == [learner.pk]
    assert list(OutboxMessage.objects.values_list("email", "template")) == [
        (f"a-{token}@example.org", "privacy/minor_report_outcome")
    ]


@pytest.mark.django_db(transaction=True)
def test_r1_r29_a_report_waiting_when_its_holder_erases_the_account_is_closed_and_told(
    settings, token
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    learner = young_learner(token)
    reporter = f"aunt-{token}@example.org"
    report = services.report_minor(about=learner.email, reasons="She is 15.", reply_to=reporter)
    job = jobs.request_erasure(user=learner)  # the holder's own wish, not the report

    assert jobs.run_erasure_job(job_id=job.pk) is True

    report.refresh_from_db()
    assert (report.status, report.account_id, report.about, report.reasons) == (
        Status.CLOSED,
        None,
        "",
        "",
    )
    assert report.decided_at is not None  # its retention runs from here
    assert report.erased_at is not None
    assert ReporterAddress.objects.count() == 0
    # The reporter hears the usual words; the holder, who asked, gets no minor's notice.
    assert list(OutboxMessage.objects.values_list("email", "template")) == [
        (reporter, "privacy/minor_report_outcome")
    ]


# --- Dismissed: the account stays ---------------------------------------------------------------


def test_r1_a_dismissed_report_keeps_the_account_and_needs_a_reason(token):
    learner = young_learner(token)
    Client().post(reverse("privacy:report_minor"), report_form(token, about=learner.email))
    report = MinorReport.objects.get()
    officer, client = staff()
    before = everything_about_reports()

    refused = client.post(reverse("privacy:minor_report_dismiss", args=[report.pk]), {})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert everything_about_reports() == before

    response = client.post(
        reverse("privacy:minor_report_dismiss", args=[report.pk]),
        {"dismiss-reason": "Her account shows a driving licence course she finished."},
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.is_active is True
    assert ErasureJob.objects.count() == 0
    report.refresh_from_db()
    assert (report.status, report.account_id, report.decided_by_id, report.decision_note) == (
        Status.DISMISSED,
        learner.pk,
        officer.pk,
        "Her account shows a driving licence course she finished.",
    )
    assert ReporterAddress.objects.count() == 0
    assert list(OutboxMessage.objects.values_list("email", "template", "subject")) == [
        (f"parent-{token}@example.org", "privacy/minor_report_outcome", "Your report is closed")
    ]
    # Decided once: a second decision changes nothing.
    again = client.post(
        reverse("privacy:minor_report_confirm", args=[report.pk]), {"confirm-confirmed": "on"}
    )
    assert again.status_code == 400
    assert "This report is already decided; nothing was changed." in again.content.decode()
    assert ErasureJob.objects.count() == 0


def test_r1_the_reporter_reads_the_same_words_whatever_was_decided(token):
    officer, _client = staff()
    kept, erased = young_learner(token), young_learner(token + "b")
    dismissed = services.report_minor(
        about=kept.email, reasons="A guess.", reply_to=f"one-{token}@example.org"
    )
    confirmed = services.report_minor(
        about=erased.email, reasons="She said so.", reply_to=f"two-{token}@example.org"
    )

    services.dismiss_report(acting_user=officer, report_id=dismissed.pk, reason="Not so.")
    services.confirm_report(acting_user=officer, report_id=confirmed.pk)

    one, two = OutboxMessage.objects.order_by("pk")
    assert (one.subject, one.body_text) == (two.subject, two.body_text)
    for trace in (kept.email, erased.email, token, "Not so."):
        assert trace not in one.body_text


# --- Who is the report about, and who may decide ----------------------------------------------


def test_r1_a_report_that_names_no_address_is_linked_by_the_officer_before_it_is_confirmed(token):
    learner = young_learner(token)
    report = services.report_minor(about=learner.full_name, reasons="Her video shows a school.")
    _officer, client = staff()
    assert report.account_id is None
    before = everything_about_reports()

    refused = client.post(
        reverse("privacy:minor_report_confirm", args=[report.pk]), {"confirm-confirmed": "on"}
    )
    unknown = client.post(
        reverse("privacy:minor_report_link", args=[report.pk]),
        {"link-email": f"nobody-{token}@example.org"},
    )

    assert refused.status_code == 400
    assert "Say which account the report is about before you confirm it" in (
        refused.content.decode()
    )
    assert unknown.status_code == 400
    assert "No account has this email address" in unknown.content.decode()
    assert everything_about_reports() == before

    linked = client.post(
        reverse("privacy:minor_report_link", args=[report.pk]), {"link-email": learner.email}
    )
    confirmed = client.post(
        reverse("privacy:minor_report_confirm", args=[report.pk]), {"confirm-confirmed": "on"}
    )

    assert (linked.status_code, confirmed.status_code) == (302, 302)
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED
    assert list(ErasureJob.objects.values_list("user_id", flat=True)) == [learner.pk]


def test_r1_a_staff_account_is_not_erased_through_a_report(token):
    colleague = StaffFactory(role=Role.SUPPORT, email=f"colleague-{token}@example.org")
    report = services.report_minor(about=colleague.email, reasons="Looks young.")
    _officer, client = staff()
    before = everything_about_reports()

    response = client.post(
        reverse("privacy:minor_report_confirm", args=[report.pk]), {"confirm-confirmed": "on"}
    )

    assert response.status_code == 400
    assert "a staff account is not erased through a report" in response.content.decode()
    assert everything_about_reports() == before


@pytest.mark.parametrize(
    "role", ["learner", Role.INSTRUCTOR, Role.SUPPORT, Role.OPERATIONS], ids=str
)
def test_r1_r34_only_the_privacy_officer_and_the_owner_may_review_reports(role, token):
    learner = young_learner(token)
    report = services.report_minor(
        about=learner.email, reasons=f"Age {token}.", reply_to=f"r-{token}@example.org"
    )
    if role == "learner":
        client = signed_in(UserFactory())
    else:
        _member, client = staff(role)
    before = everything_about_reports()
    statuses = []

    for name, takes_report in STAFF_ROUTES:
        url = reverse(name, args=[report.pk] if takes_report else [])
        statuses.append(client.get(url).status_code)
        statuses.append(
            client.post(url, {"confirm-confirmed": "on", "dismiss-reason": "x"}).status_code
        )

    assert statuses == [403] * 2 * len(STAFF_ROUTES)
    assert everything_about_reports() == before
    assert StaffAccess.objects.count() == 0
    _owner, owner_client = staff(Role.OWNER)
    assert owner_client.get(reverse("privacy:minor_report", args=[report.pk])).status_code == 200


def test_r1_the_signed_out_are_sent_to_sign_in_for_the_queue():
    response = Client().get(reverse("privacy:minor_reports"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The public form: anyone, no JavaScript, bad input changes nothing --------------------------


@pytest.mark.parametrize("signed_in_as", [None, "learner"], ids=["visitor", "learner"])
def test_r1_r44_anyone_finds_the_form_and_its_notice_from_every_page(signed_in_as):
    client = signed_in(UserFactory()) if signed_in_as else Client()
    home = client.get(reverse("web:home")).content.decode()
    policy = client.get(reverse("privacy:policy")).content.decode()
    url = reverse("privacy:report_minor")

    page = client.get(url)

    assert f'href="{url}"' in home  # the footer
    assert f'href="{url}"' in policy  # the policy's section on children
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form method="post"', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'class="privacy-notice"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


BAD_INPUT = {
    "no account named": ({"about": "  "}, "This field is required."),
    "no reason": ({"reasons": ""}, "This field is required."),
    "a reply address that is none": ({"reply_to": "not an address"}, "Enter a valid email"),
    "a reason too long": ({"reasons": "x" * 5001}, "Ensure this value has at most 5000"),
    "an account named at length": ({"about": "y" * 301}, "Ensure this value has at most 300"),
}


@pytest.mark.parametrize("changes,message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_r1_bad_input_is_refused_with_its_reason_and_changes_nothing(token, changes, message):
    learner = young_learner(token)
    before = everything_about_reports()

    response = Client().post(
        reverse("privacy:report_minor"), report_form(token, **{"about": learner.email, **changes})
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Your report is not sent yet" in html
    assert everything_about_reports() == before


def test_r1_a_post_without_the_csrf_token_is_refused_and_changes_nothing(token):
    learner = young_learner(token)
    before = everything_about_reports()

    response = Client(enforce_csrf_checks=True).post(
        reverse("privacy:report_minor"), report_form(token, about=learner.email)
    )

    assert response.status_code == 403
    assert everything_about_reports() == before


def test_r1_a_double_clicked_report_is_stored_once(token):
    learner = young_learner(token)
    data = report_form(token, about=learner.email)

    for _click in range(2):
        assert Client().post(reverse("privacy:report_minor"), data).status_code == 200

    assert MinorReport.objects.count() == 1
    assert ReporterAddress.objects.count() == 1


def test_r1_one_address_may_send_five_reports_an_hour(token):
    client = Client()
    for number in range(services.MAX_REPORTS_PER_ADDRESS):
        data = report_form(token, about=f"Learner number {number}")
        assert client.post(reverse("privacy:report_minor"), data).status_code == 200
    before = everything_about_reports()

    response = client.post(
        reverse("privacy:report_minor"), report_form(token, about="One more learner")
    )

    assert response.status_code == 429
    assert "You have sent us several reports in the last hour" in response.content.decode()
    assert everything_about_reports() == before


def test_r1_one_account_may_be_reported_three_times_an_hour(token):
    learner = young_learner(token)
    client = Client()
    for number in range(services.MAX_REPORTS_ABOUT_ONE_ACCOUNT):
        data = report_form(token, about=learner.email, reply_to=f"r{number}-{token}@example.org")
        assert client.post(reverse("privacy:report_minor"), data).status_code == 200
    before = everything_about_reports()

    response = client.post(
        reverse("privacy:report_minor"), report_form(token, about=learner.email.upper())
    )

    assert response.status_code == 429
    assert "We received several reports about this account" in response.content.decode()
    assert everything_about_reports() == before


def test_r1_markup_in_a_report_is_kept_as_typed_and_shown_as_text(token):
    learner = young_learner(token)
    markup = '<script>alert("x")</script><b>bold</b>'
    Client().post(
        reverse("privacy:report_minor"), report_form(token, about=learner.email, reasons=markup)
    )
    report = MinorReport.objects.get()
    _officer, client = staff()

    html = client.get(reverse("privacy:minor_report", args=[report.pk])).content.decode()

    assert report.reasons == markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert markup not in html


# --- The report as personal data ------------------------------------------------------------------


def test_r1_r28_the_account_holders_copy_shows_the_report_but_never_who_sent_it(token):
    learner = young_learner(token)
    reporter = f"neighbour-{token}@example.org"
    services.report_minor(about=learner.email, reasons="She is 14.", reply_to=reporter)

    copy = export_person(Person.for_user(learner))
    reporters_copy = export_person(Person.for_email(reporter))

    assert [row["reasons"] for row in copy["privacy.MinorReport"]] == ["She is 14."]
    assert "privacy.ReporterAddress" not in copy
    assert reporter not in json.dumps(copy)
    assert [row["email"] for row in reporters_copy["privacy.ReporterAddress"]] == [reporter]
