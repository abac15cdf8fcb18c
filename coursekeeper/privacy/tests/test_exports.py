"""The copy of a person's data as a ZIP (R28): built from the declarations, one readable record per
row, downloaded by its owner only, for 7 days; the portable part on its own (GDPR Art. 20)."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import secrets
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.privacy import jobs
from coursekeeper.privacy.declarations import Category, TheAccount, registry
from coursekeeper.privacy.exports import WITHHELD, build_export, is_portable
from coursekeeper.privacy.factories import ExportJobFactory
from coursekeeper.privacy.models import ExportJob
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.records import label_of, reference_paths, shown_fields
from coursekeeper.privacy.testing import factories_by_model

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DUMMY_TASKS


def build_everything_for(person: Person) -> list[str]:
    """Create one row of every declared personal-data model about `person` (as the no-trace
    test does); return the labels, the account itself included."""
    factories = factories_by_model()
    built = []
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        if not isinstance(declaration.subject, TheAccount):
            factories[declaration.model](**declaration.subject.factory_kwargs(person))
        built.append(declaration.label)
    return built


def marked_user(**extra):
    token = secrets.token_hex(6)
    user = UserFactory(
        email=f"export-{token}@example.org", full_name=f"Ebba {token} Export", **extra
    )
    return user, token


def open_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def readable_text(archive: zipfile.ZipFile) -> str:
    """Everything in the ZIP but the (compressed) PDF, as one text."""
    return "\n".join(
        archive.read(name).decode() for name in archive.namelist() if name != "summary.pdf"
    )


def types_in(data: dict) -> set[str]:
    return {record["type"] for record in data["records"]}


def records_of(data: dict, label: str) -> list[dict]:
    return [record for record in data["records"] if record["type"] == label]


def values_of(record: dict) -> dict:
    """A record's values by key, as stored (`value`)."""
    return {key: entry["value"] for key, entry in record["values"].items()}


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def personal_columns(label: str) -> list[str]:
    declaration = next(d for d in registry if d.label == label)
    meta = declaration.model._meta
    return [
        name
        for name, spec in declaration.fields.items()
        if isinstance(spec, Category) and meta.get_field(name).concrete
    ]


# --- What the ZIP holds --------------------------------------------------------------------------


def test_r28_the_zip_holds_one_record_per_row_about_the_person_and_nothing_else():
    user, token = marked_user()
    bystander, bystander_token = marked_user()
    person = Person.for_user(user)
    built = build_everything_for(person)
    build_everything_for(Person.for_user(bystander))

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    names = set(archive.namelist())
    assert {"data.json", "summary.html", "summary.pdf"} <= names
    csv_names = sorted(name for name in names if name.startswith("csv/"))
    assert len(csv_names) == len(built)
    assert {"csv/people.csv", "csv/orders.csv", "csv/invoices.csv"} <= set(csv_names)
    data = json.loads(archive.read("data.json"))
    assert (data["portability_only"], data["language"], data["time_zone"]) == (
        False,
        "en",
        "Europe/Copenhagen",
    )
    assert sorted(types_in(data)) == sorted(built)
    (account,) = records_of(data, "accounts.User")
    assert (account["id"], account["kind"]) == (user.pk, "People")
    assert account["values"]["email"] == {
        "label": "Email address",
        "category": "contact",
        "value": user.email,
        "text": user.email,
    }
    assert {key: values_of(account)[key] for key in ("full_name", "phone", "country")} == {
        "full_name": user.full_name,
        "phone": user.phone,
        "country": user.country,
    }
    assert account["values"]["adult_confirmed_at"]["value"] == (
        timezone.localtime(user.adult_confirmed_at).isoformat()
    )
    assert {"code": "contact", "label": "Contact details"} in account["categories"]
    # Secrets show that they are held, not what they are.
    assert account["values"]["password"]["value"] == WITHHELD
    assert account["values"]["password"]["text"] == WITHHELD
    assert user.password not in readable_text(archive)
    # Files by their file name only.
    (export_row,) = records_of(data, "privacy.ExportJob")
    assert export_row["values"]["file"]["value"].endswith(".json")
    assert "/" not in export_row["values"]["file"]["value"]
    # The link to the person's own account is left out: it is them.
    (enrollment,) = records_of(data, "learning.Enrollment")
    assert "learner" not in enrollment["values"]
    # The person's identifiers are in it; the bystander's are nowhere.
    assert token in readable_text(archive)
    assert bystander_token not in readable_text(archive)
    assert bystander.email not in readable_text(archive)


def test_r28_each_kind_of_record_is_one_csv_with_readable_columns_and_the_persons_values():
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    assert archive.read("csv/people.csv").startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(archive.read("csv/people.csv").decode("utf-8-sig"))))
    with translation.override("en"):
        account = next(d for d in registry if d.label == "accounts.User")
        labels = [label_of(account, name) for name in personal_columns("accounts.User")]
    assert lines[0] == ["Record", *labels]
    assert len(lines) == 2
    row = dict(zip(lines[0], lines[1], strict=True))
    assert (row["Record"], row["Email address"], row["Full name"], row["Phone"]) == (
        str(user.pk),
        user.email,
        user.full_name,
        user.phone,  # "+45 ..." is a phone number, not a formula: left as it is
    )
    assert row["Password"] == WITHHELD
    (enrollment,) = csv_rows(archive, "csv/enrolments.csv")
    course = user.enrollments.get().course
    assert enrollment["Course"] == course.title
    assert "Learner" not in enrollment


def test_r28_a_csv_cell_a_spreadsheet_would_run_is_defused_but_json_keeps_it_exact():
    user, _token = marked_user()
    user.full_name = '=HYPERLINK("http://evil.example","x")'
    user.save(update_fields=["full_name"])
    person = Person.for_user(user)

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    (row,) = csv_rows(archive, "csv/people.csv")
    assert row["Full name"] == "'" + user.full_name
    data = json.loads(archive.read("data.json"))
    (account,) = records_of(data, "accounts.User")
    assert account["values"]["full_name"]["value"] == user.full_name


def test_r28_the_summary_is_accessible_html_and_a_real_pdf():
    from coursekeeper.privacy.factories import RecipientFactory

    RecipientFactory(name="Mailing Service Export ApS", categories=["contact"])
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    html = archive.read("summary.html").decode()
    assert '<html lang="en">' in html
    assert "<h1>A copy of your data</h1>" in html
    assert '<h2 id="category-contact">Contact details</h2>' in html
    assert '<th scope="col">Records</th>' in html
    assert "Your account</strong> (Contract (GDPR Art. 6(1)(b)))" in html
    assert "Mailing Service Export ApS" in html
    assert "<li>As long as you have an account</li>" in html
    assert "<li>You gave it</li>" in html and "<li>Produced by your use</li>" in html
    assert "<li>Recorded by staff</li>" in html
    assert "<code>data.json</code>" in html
    assert "Your rights" in html
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    pdf = archive.read("summary.pdf")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000


def test_r28_the_summary_is_in_the_persons_language():
    user, _token = marked_user(language="da")
    person = Person.for_user(user)

    archive = open_zip(build_export(person, portability_only=False, language=user.language))

    html = archive.read("summary.html").decode()
    assert '<html lang="da">' in html
    assert "Hvem der er ansvarlig for dine data" in html
    assert "Kontaktoplysninger" in html
    data = json.loads(archive.read("data.json"))
    (account,) = records_of(data, "accounts.User")
    assert {"code": "contact", "label": "Kontaktoplysninger"} in account["categories"]


def test_r28_an_unknown_language_falls_back_to_the_sites_default():
    user, _token = marked_user()

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="xx"))

    assert '<html lang="en">' in archive.read("summary.html").decode()


def test_r28_someone_we_hold_nothing_about_gets_an_empty_copy_that_says_so():
    person = Person.for_email(f"nobody-{secrets.token_hex(6)}@example.org")

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    assert json.loads(archive.read("data.json"))["records"] == []
    assert [name for name in archive.namelist() if name.startswith("csv/")] == []
    assert "We hold no data about you." in archive.read("summary.html").decode()
    assert archive.read("summary.pdf").startswith(b"%PDF-")


# --- What a person reads ------------------------------------------------------------------------


def order_with_invoice(user, *, total_minor: int, number: str):
    from coursekeeper.commerce.factories import InvoiceFactory, OrderFactory

    order = OrderFactory(
        buyer=user,
        subtotal_minor=total_minor * 4 // 5,
        vat_minor=total_minor // 5,
        total_minor=total_minor,
    )
    invoice = InvoiceFactory(
        buyer=user,
        order=order,
        number=number,
        net_minor=total_minor * 4 // 5,
        vat_minor=total_minor // 5,
        total_minor=total_minor,
    )
    return order, invoice


def test_r28_two_orders_with_invoices_are_two_records_each_named_by_its_reference_and_number():
    user, token = marked_user()
    first, first_invoice = order_with_invoice(user, total_minor=100000, number=f"A-{token}-1")
    second, second_invoice = order_with_invoice(user, total_minor=250050, number=f"A-{token}-2")

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="en"))

    data = json.loads(archive.read("data.json"))
    orders = records_of(data, "commerce.Order")
    assert [(o["id"], o["kind"], o["name"]) for o in orders] == [
        (first.pk, "Orders", f"Order reference: {first.public_id}"),
        (second.pk, "Orders", f"Order reference: {second.public_id}"),
    ]
    assert [o["references"]["public_id"]["value"] for o in orders] == [
        str(first.public_id),
        str(second.public_id),
    ]
    assert [o["values"]["total"] for o in orders] == [
        {
            "label": "Total",
            "category": "payment",
            "value": {"amount": "1000.00", "currency": "DKK"},
            "text": "1,000.00 DKK",
        },
        {
            "label": "Total",
            "category": "payment",
            "value": {"amount": "2500.50", "currency": "DKK"},
            "text": "2,500.50 DKK",
        },
    ]
    assert sorted(orders[0]["values"]) == sorted(orders[1]["values"])
    assert "buyer" not in orders[0]["values"] and "total_minor" not in orders[0]["values"]
    invoices = records_of(data, "commerce.Invoice")
    assert [
        (
            i["id"],
            i["name"],
            i["references"]["number"]["value"],
            i["references"]["order"]["value"],
            i["references"]["order"]["text"],
        )
        for i in invoices
    ] == [
        (
            first_invoice.pk,
            f"Invoice number: A-{token}-1",
            f"A-{token}-1",
            first.pk,
            str(first.public_id),
        ),
        (
            second_invoice.pk,
            f"Invoice number: A-{token}-2",
            f"A-{token}-2",
            second.pk,
            str(second.public_id),
        ),
    ]
    assert [i["values"]["total"]["value"] for i in invoices] == [
        {"amount": "1000.00", "currency": "DKK"},
        {"amount": "2500.50", "currency": "DKK"},
    ]
    rows = csv_rows(archive, "csv/orders.csv")
    assert [(row["Record"], row["Order reference"], row["Total"]) for row in rows] == [
        (str(first.pk), str(first.public_id), "1,000.00 DKK"),
        (str(second.pk), str(second.public_id), "2,500.50 DKK"),
    ]


def test_r28_a_lesson_progress_record_names_its_course_and_lesson_by_title():
    from coursekeeper.learning.factories import (
        CourseFactory,
        LessonFactory,
        LessonProgressFactory,
        ModuleFactory,
    )

    user, token = marked_user()
    course = CourseFactory(title=f"Knitting {token}")
    lesson = LessonFactory(module=ModuleFactory(course=course), title=f"Casting on {token}")
    progress = LessonProgressFactory(learner=user, lesson=lesson, position_seconds=75.5)

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="en"))

    (record,) = records_of(json.loads(archive.read("data.json")), "learning.LessonProgress")
    assert (record["id"], record["kind"], record["name"]) == (
        progress.pk,
        "Lesson progress",
        f"Course: Knitting {token}",
    )
    assert record["references"] == {
        "lesson__module__course": {
            "label": "Course",
            "value": course.pk,
            "text": f"Knitting {token}",
        }
    }
    assert record["values"]["lesson"] == {
        "label": "Lesson",
        "category": "usage",
        "value": lesson.pk,
        "text": f"Casting on {token}",
    }
    assert record["values"]["position_seconds"]["text"] == "75.5"
    assert "learner" not in record["values"]
    html = archive.read("summary.html").decode()
    assert f"<caption>Record {progress.pk} — Course: Knitting {token}</caption>" in html
    assert f'<th scope="row">Lesson</th><td>Casting on {token}</td>' in html


def test_r28_a_consent_record_carries_the_words_it_was_given_to():
    from coursekeeper.privacy.factories import ConsentFactory
    from coursekeeper.privacy.models import ConsentText

    user, token = marked_user()
    ConsentText.objects.create(
        purpose="newsletter", version=f"v-{token}", language="en", text=f"Send me news {token}."
    )
    ConsentText.objects.create(
        purpose="newsletter", version=f"v-{token}", language="da", text=f"Send mig nyt {token}."
    )
    ConsentText.objects.create(
        purpose="newsletter", version=f"w-{token}", language="de", text=f"Schickt mir {token}."
    )
    given = ConsentFactory(user=user, wording_version=f"v-{token}", language="da")
    # Published only in German: the words in the language there are.
    other = ConsentFactory(user=user, wording_version=f"w-{token}", language="en")

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="en"))

    consents = records_of(json.loads(archive.read("data.json")), "privacy.Consent")
    assert [
        (c["id"], c["name"], c["references"]["wording"]["text"], c["values"]["purpose"]["text"])
        for c in consents
    ] == [
        (given.pk, "Purpose: Newsletter", f"Send mig nyt {token}.", "Newsletter"),
        (other.pk, "Purpose: Newsletter", f"Schickt mir {token}.", "Newsletter"),
    ]
    assert consents[0]["references"]["wording"]["label"] == "Words you agreed to"
    html = archive.read("summary.html").decode()
    assert f'<th scope="row">Words you agreed to</th><td>Send mig nyt {token}.</td>' in html


def test_r28_the_summary_shows_the_persons_values_not_field_names():
    user, token = marked_user()
    first, _invoice = order_with_invoice(user, total_minor=100000, number=f"B-{token}-1")
    second, _other = order_with_invoice(user, total_minor=5000, number=f"B-{token}-2")
    second.card_last4 = "4242"
    second.save(update_fields=["card_last4"])

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="en"))

    html = archive.read("summary.html").decode()
    assert f'<th scope="row">Full name</th><td>Ebba {token} Export</td>' in html
    assert '<th scope="row">Total</th><td>1,000.00 DKK</td><td>Payment</td>' in html
    assert '<th scope="row">Total</th><td>50.00 DKK</td><td>Payment</td>' in html
    assert '<th scope="row">Last 4 digits of the card</th><td>4242</td>' in html
    assert '<th scope="row">Bought for others</th><td>no</td>' in html
    assert '<th scope="row">Status</th><td>paid</td>' in html
    # Each order its own table, named by its record id and reference.
    for order in (first, second):
        assert f"<caption>Record {order.pk} — Order reference: {order.public_id}</caption>" in html
    assert '<h3 id="kind-' in html and "Orders (2)</h3>" in html
    for field_name in ("amount_minor", "total_minor", "card_last4", "public_id", "full_name"):
        assert field_name not in html


def test_r28_dates_money_and_choices_are_written_in_the_persons_language_and_time_zone():
    from coursekeeper.commerce.factories import OrderFactory

    paid = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    dane, _token = marked_user(language="da", time_zone="Europe/Copenhagen")
    londoner, _other = marked_user(time_zone="Europe/London")
    for user in (dane, londoner):
        OrderFactory(buyer=user, total_minor=123456, paid_at=paid)

    danish = open_zip(build_export(Person.for_user(dane), portability_only=False, language="da"))
    english = open_zip(
        build_export(Person.for_user(londoner), portability_only=False, language="en")
    )

    (in_danish,) = records_of(json.loads(danish.read("data.json")), "commerce.Order")
    assert in_danish["values"]["paid_at"]["value"] == "2026-03-01T13:00:00+01:00"
    assert in_danish["values"]["paid_at"]["text"] == "1. marts 2026 13:00"
    assert in_danish["values"]["total"]["text"] == "1.234,56 DKK"
    assert in_danish["values"]["status"] == {
        "label": in_danish["values"]["status"]["label"],
        "category": "payment",
        "value": "paid",
        "text": "betalt",
    }
    html = danish.read("summary.html").decode()
    assert "<td>1. marts 2026 13:00</td>" in html and "<td>1.234,56 DKK</td>" in html
    (in_london,) = records_of(json.loads(english.read("data.json")), "commerce.Order")
    assert in_london["values"]["paid_at"]["value"] == "2026-03-01T12:00:00+00:00"
    assert in_london["values"]["paid_at"]["text"] == "1 March 2026 12:00"
    assert "Dates and times are in the time zone Europe/London." in (
        english.read("summary.html").decode()
    )


def test_r28_the_staff_access_log_names_who_looked_where_why_and_at_what():
    from coursekeeper.privacy.factories import StaffAccessFactory

    user, token = marked_user()
    staff = StaffFactory(full_name=f"Sigrid {token} Support")
    seen = StaffAccessFactory(user=user, staff=staff, categories=["identity", "payment"])
    gone = StaffAccessFactory(user=user, staff=None, purpose="sales", place="commerce:staff_order")

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="en"))

    html = archive.read("summary.html").decode()
    assert "Staff views of your data (2)</h3>" in html
    assert f"<caption>Record {seen.pk} — Seen by: Sigrid {token} Support</caption>" in html
    assert f"<caption>Record {gone.pk} — Seen by: a former staff member</caption>" in html
    for row in (
        '<th scope="row">Their role</th><td>Support and administration</td>',
        '<th scope="row">Kind of record</th><td>People</td>',
        '<th scope="row">Categories of data</th><td>Identity, Payment</td>',
        '<th scope="row">Purpose</th><td>Your account</td>',
        '<th scope="row">Page</th><td>the administration</td>',
        '<th scope="row">Purpose</th><td>Your purchases</td>',
        '<th scope="row">Page</th><td>your order&#x27;s page</td>',
    ):
        assert row in html, row
    records = records_of(json.loads(archive.read("data.json")), "privacy.StaffAccess")
    assert [r["references"]["staff"]["value"] for r in records] == [
        f"Sigrid {token} Support",
        "a former staff member",
    ]
    assert records[0]["values"]["categories"]["value"] == ["identity", "payment"]
    assert staff.email not in readable_text(archive)


def every_label_the_copy_shows():
    """Yield (declaration label, path, label) for everything a person's copy can name."""
    with translation.override("en"):
        for declaration in registry:
            if not declaration.holds_personal_data:
                continue
            fields = shown_fields(declaration, personal_columns(declaration.label))
            for path in (*fields, *reference_paths(declaration, fields)):
                yield declaration.label, path, label_of(declaration, path)
            for key, (label, _compute) in declaration.reading.computed.items():
                yield declaration.label, key, capfirst(str(label))


def test_r28_no_label_a_person_reads_is_a_developers_word():
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)
    archive = open_zip(build_export(person, portability_only=False, language="en"))
    data = json.loads(archive.read("data.json"))
    html = archive.read("summary.html").decode()

    shown = [
        entry["label"]
        for record in data["records"]
        for entry in (*record["references"].values(), *record["values"].values())
    ]
    shown += re.findall(r'<th scope="row">([^<]*)</th>', html)
    declared = [label for _model, _path, label in every_label_the_copy_shows()]

    # The fields that read "Amount minor" and "Card last4" before are in both lists.
    assert {"Amount", "Amount refunded", "Last 4 digits of the card"} <= set(shown) & set(declared)
    assert [label for label in shown + declared if label.endswith(" minor")] == []
    assert [label for label in shown + declared if "last4" in label.lower()] == []


def test_r28_every_label_in_the_copy_was_written_for_people_and_is_unique_per_kind():
    """A label is the field's own verbose_name or one the declaration gives, never the name
    Django makes up from the attribute ("provider ref"), which no catalogue translates."""
    made_up = []
    per_kind: dict[str, list[str]] = {}
    for label, path, text in every_label_the_copy_shows():
        declaration = next(d for d in registry if d.label == label)
        per_kind.setdefault(label, []).append(text)
        if declaration.model._meta.app_label == "privacy_shapes":
            continue  # the test-only models that exercise the declaration's shapes
        if path in declaration.reading.labels or path in declaration.reading.computed:
            continue
        *steps, last = path.split("__")
        model = declaration.model
        for step in steps:
            model = model._meta.get_field(step).related_model
        if model._meta.get_field(last)._verbose_name is None:
            made_up.append(f"{label}.{path}")

    assert made_up == []
    assert {
        kind: labels for kind, labels in per_kind.items() if len(set(labels)) < len(labels)
    } == {}


# --- The portable part ---------------------------------------------------------------------------


def test_r28_portability_only_holds_what_the_person_gave_or_produced_under_consent_or_contract():
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)

    archive = open_zip(build_export(person, portability_only=True, language="en"))

    data = json.loads(archive.read("data.json"))
    assert data["portability_only"] is True
    exported = types_in(data)
    # Profile and progress are in it, progress still named by its course and lesson.
    assert {"accounts.User", "learning.Enrollment", "learning.LessonProgress"} <= exported
    (account,) = records_of(data, "accounts.User")
    assert account["values"]["language"]["value"] == user.language
    (progress,) = records_of(data, "learning.LessonProgress")
    lesson = user.lesson_progress.get().lesson
    assert progress["name"] == f"Course: {lesson.module.course.title}"
    # Security records, sessions, staff-recorded data and legal-obligation records are not.
    for label in (
        "security.SecurityEvent",
        "usersessions.UserSession",
        "sessions.Session",
        "accounts.SignInFingerprint",
        "axes.AccessLog",
        "admin.LogEntry",
        "privacy.Disclosure",
        "privacy.Consent",
        "privacy.ExportJob",
        "messaging.OutboxMessage",
    ):
        assert label not in exported, label
    categories = {
        value["category"] for record in data["records"] for value in record["values"].values()
    }
    assert categories & {"credentials", "technical"} == set()
    assert WITHHELD not in archive.read("data.json").decode()
    # Exactly the declarations the rule admits, no others.
    admitted = {d.label for d in registry if d.holds_personal_data and is_portable(d)}
    assert exported <= admitted
    assert len([n for n in archive.namelist() if n.startswith("csv/")]) == len(exported)
    html = archive.read("summary.html").decode()
    assert "<h1>Your data in a portable format</h1>" in html
    assert "GDPR Art. 20" in html
    assert "Recorded by staff" not in html


# --- The job -------------------------------------------------------------------------------------


def test_r28_the_export_job_stores_the_zip_under_a_random_name_for_7_days_and_a_rerun_does_nothing():
    user, token = marked_user()
    job = jobs.request_export(user=user)
    other = jobs.request_export(user=user, portability_only=True)

    assert jobs.run_export_job(job_id=job.pk) is True
    assert jobs.run_export_job(job_id=other.pk) is True

    job = ExportJob.objects.get(pk=job.pk)
    name = job.file.name
    assert name.startswith("exports/") and name.endswith(".zip")
    assert re.fullmatch(r"exports/[A-Za-z0-9_-]{43}\.zip", name)
    assert token not in name and user.email not in name
    assert name != ExportJob.objects.get(pk=other.pk).file.name
    assert job.expires_at is not None and job.finished_at is not None
    assert (job.status, job.expires_at - job.finished_at) == ("done", timedelta(days=7))
    with job.file.open("rb") as stored:
        data = json.loads(open_zip(stored.read()).read("data.json"))
    (account,) = records_of(data, "accounts.User")
    assert account["values"]["email"]["value"] == user.email
    assert ExportJob.objects.get(pk=other.pk).portability_only is True

    before = (job.file.name, job.finished_at, job.expires_at, job.attempts)
    files_before = sorted(default_storage.listdir("exports")[1])
    assert jobs.run_export_job(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.expires_at, job.attempts) == before
    assert sorted(default_storage.listdir("exports")[1]) == files_before


def test_r28_a_finished_export_answers_the_request_it_was_built_for():
    from coursekeeper.messaging.models import OutboxMessage
    from coursekeeper.privacy.factories import RightsRequestFactory
    from coursekeeper.privacy.models import RightsRequest

    user, _token = marked_user()
    request = RightsRequestFactory(
        user=user, kind=RightsRequest.Kind.PORTABILITY, status=RightsRequest.Status.OPEN
    )
    job = jobs.request_export(user=user, portability_only=True, request=request)

    assert jobs.run_export_job(job_id=job.pk) is True
    assert jobs.run_export_job(job_id=job.pk) is False

    request.refresh_from_db()
    assert request.status == RightsRequest.Status.ANSWERED
    assert OutboxMessage.objects.filter(email=user.email).count() == 1
    assert ExportJob.objects.get(pk=job.pk).request_id == request.pk


# --- Download ------------------------------------------------------------------------------------


def finished_job(user, *, expires_in=timedelta(days=7)) -> ExportJob:
    job = jobs.request_export(user=user)
    jobs.run_export_job(job_id=job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    if expires_in != timedelta(days=7):
        job.expires_at = timezone.now() + expires_in
        job.save(update_fields=["expires_at"])
    return job


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_r28_the_owner_downloads_the_zip_uncached_and_the_download_is_logged_by_pseudonym(caplog):
    from coursekeeper.security.services import pseudonym

    user, token = marked_user()
    job = finished_job(user)
    url = reverse("privacy:download_export", args=[job.pk])
    assert url == f"/privacy/exports/{job.pk}/download/"

    with caplog.at_level(logging.INFO, logger="coursekeeper.privacy.export_views"):
        response = signed_in(user).get(url)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    with job.file.open("rb") as stored:
        assert body == stored.read()
    assert response["Content-Type"] == "application/zip"
    made = timezone.localdate(job.finished_at).isoformat()
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="coursekeeper-data-{made}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "data.json" in open_zip(body).namelist()
    logged = [
        r.getMessage() for r in caplog.records if r.name == "coursekeeper.privacy.export_views"
    ]
    assert logged == [f"export downloaded job={job.pk} person={pseudonym(user.pk)}"]
    assert token not in caplog.text and user.email not in caplog.text


def page(response) -> bytes:
    """The page without what differs by request: the CSRF token and the page's own address."""
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]*"', b"", response.content)


def test_r28_one_person_cannot_fetch_anothers_export_by_guessing_its_url():
    owner, _token = marked_user()
    stranger, _other = marked_user()
    job = finished_job(owner)
    expired = finished_job(owner, expires_in=-timedelta(hours=1))
    url = reverse("privacy:download_export", args=[job.pk])

    as_stranger = signed_in(stranger)
    stranger_response = as_stranger.get(url)
    stranger_expired = as_stranger.get(reverse("privacy:download_export", args=[expired.pk]))
    unknown = as_stranger.get(reverse("privacy:download_export", args=[job.pk + 1000]))
    anonymous = Client().get(url)

    assert stranger_response.status_code == 404
    # Someone else's expired export is a 404 too: only the owner learns it expired.
    assert stranger_expired.status_code == 404
    assert unknown.status_code == 404
    assert page(stranger_response) == page(unknown) == page(stranger_expired)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert job.file.name.encode() not in stranger_response.content


def test_r28_an_unfinished_or_unknown_export_is_not_found_for_its_owner_either():
    user, _token = marked_user()
    queued = jobs.request_export(user=user)
    browser = signed_in(user)

    assert browser.get(reverse("privacy:download_export", args=[queued.pk])).status_code == 404
    assert browser.get(reverse("privacy:download_export", args=[queued.pk + 1])).status_code == 404


def test_r28_an_expired_link_answers_410_with_how_to_get_a_new_copy():
    user, _token = marked_user()
    expired = finished_job(user, expires_in=-timedelta(minutes=1))
    file_gone = finished_job(user)
    file_gone.file.storage.delete(file_gone.file.name)
    browser = signed_in(user)

    for job in (expired, file_gone):
        response = browser.get(reverse("privacy:download_export", args=[job.pk]))
        assert response.status_code == 410
        page = response.content.decode()
        assert "This download link has expired" in page
        assert "You can ask for a new copy at any time on your privacy page." in page
        assert reverse("privacy:my_privacy") in page
        assert "no-store" in response["Cache-Control"]


def test_r28_the_expired_page_is_in_the_persons_language():
    user, _token = marked_user(language="da")
    expired = finished_job(user, expires_in=-timedelta(minutes=1))
    browser = signed_in(user)
    browser.cookies["coursekeeper_language"] = "da"

    response = browser.get(reverse("privacy:download_export", args=[expired.pk]))

    assert response.status_code == 410
    assert '<html lang="da">' in response.content.decode()


# --- Expiry --------------------------------------------------------------------------------------


def test_r28_expiry_deletes_the_file_and_the_row_of_every_expired_export_and_a_rerun_does_nothing():
    user, _token = marked_user()
    expired = [finished_job(user, expires_in=-timedelta(minutes=m)) for m in (1, 2, 3)]
    current = finished_job(user)
    expired_names = [job.file.name for job in expired]

    first = io.StringIO()
    call_command("privacy_expire_exports", "--batch-size", "2", stdout=first)
    second = io.StringIO()
    call_command("privacy_expire_exports", stdout=second)

    assert first.getvalue().strip() == "deleted 3 expired exports and 0 orphaned files"
    assert second.getvalue().strip() == "deleted 0 expired exports and 0 orphaned files"
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [current.pk]
    assert [default_storage.exists(name) for name in expired_names] == [False, False, False]
    assert default_storage.exists(current.file.name)


def test_r28_expiry_removes_old_files_no_row_names_but_not_one_being_committed():
    old = default_storage.save("exports/left-by-a-killed-worker.zip", ContentFile(b"zip"))
    young = default_storage.save("exports/being-committed.zip", ContentFile(b"zip"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    named = ExportJobFactory(
        file=ContentFile(b"zip", "named.zip"), expires_at=timezone.now() + timedelta(days=1)
    )
    os.utime(default_storage.path(named.file.name), (two_days_ago, two_days_ago))

    output = io.StringIO()
    call_command("privacy_expire_exports", stdout=output)

    assert output.getvalue().strip() == "deleted 0 expired exports and 1 orphaned files"
    assert (
        default_storage.exists(old),
        default_storage.exists(young),
        default_storage.exists(named.file.name),
    ) == (False, True, True)


def test_r28_expiry_runs_hourly_from_the_scheduler():
    from coursekeeper.jobs.registry import periodic_job

    job = periodic_job("expire_exports")

    assert (job.interval, job.command) == (timedelta(hours=1), "privacy_expire_exports")


def test_r28_reading_a_persons_records_costs_the_same_queries_for_many_rows_as_for_one():
    """Related titles and references are joined, so a long learning history stays one query
    per kind of record, not one per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coursekeeper.commerce.factories import OrderLineFactory, RefundFactory
    from coursekeeper.learning.factories import LessonProgressFactory
    from coursekeeper.privacy.exports import collect

    def queries_for(rows: int) -> int:
        user, _token = marked_user()
        for _ in range(rows):
            LessonProgressFactory(learner=user)
            RefundFactory(order=OrderLineFactory(order__buyer=user).order)
        person = Person.for_user(user)
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            kinds = collect(person, portability_only=False)
        assert sum(len(kind.records) for kind in kinds if kind.label != "accounts.User") > rows
        return len(queries)

    queries_for(1)  # warms the content-type cache the generic declarations read
    assert queries_for(6) == queries_for(1)
