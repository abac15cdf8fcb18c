"""The copy of a person's data as a ZIP (R28): built from the declarations, downloaded by its owner
only, for 7 days; the portable part on its own (GDPR Art. 20)."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import secrets
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy import jobs
from coursekeeper.privacy.declarations import Category, TheAccount, registry
from coursekeeper.privacy.exports import WITHHELD, build_export, is_portable
from coursekeeper.privacy.factories import ExportJobFactory
from coursekeeper.privacy.models import ExportJob
from coursekeeper.privacy.people import Person
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


def models_in(data: dict) -> set[str]:
    return {label for category in data["categories"].values() for label in category["models"]}


def personal_columns(label: str) -> list[str]:
    declaration = next(d for d in registry if d.label == label)
    meta = declaration.model._meta
    return [
        name
        for name, spec in declaration.fields.items()
        if isinstance(spec, Category) and meta.get_field(name).concrete
    ]


# --- What the ZIP holds --------------------------------------------------------------------------


def test_r28_the_zip_holds_everything_about_the_person_grouped_by_category_and_nothing_else():
    user, token = marked_user()
    bystander, bystander_token = marked_user()
    person = Person.for_user(user)
    built = build_everything_for(person)
    build_everything_for(Person.for_user(bystander))

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    names = set(archive.namelist())
    assert {"data.json", "summary.html", "summary.pdf"} <= names
    assert sorted(name for name in names if name.startswith("csv/")) == sorted(
        f"csv/{label}.csv" for label in built
    )
    data = json.loads(archive.read("data.json"))
    assert data["portability_only"] is False
    assert sorted(models_in(data)) == sorted(built)
    # Each category carries only its own fields.
    contact = data["categories"]["contact"]
    assert contact["label"] == "Contact details"
    assert contact["models"]["accounts.User"] == [
        {
            "email": user.email,
            "phone": user.phone,
            "street_address": "",
            "postal_code": "",
            "city": "",
            "country": user.country,
        }
    ]
    assert data["categories"]["identity"]["models"]["accounts.User"] == [
        {"full_name": user.full_name, "adult_confirmed_at": user.adult_confirmed_at.isoformat()}
    ]
    # Secrets show that they are held, not what they are.
    assert data["categories"]["credentials"]["models"]["accounts.User"] == [{"password": WITHHELD}]
    assert user.password not in readable_text(archive)
    # Files by their file name only; foreign keys as ids.
    (export_row,) = data["categories"]["content"]["models"]["privacy.ExportJob"]
    assert export_row["file"].endswith(".json") and "/" not in export_row["file"]
    (enrollment,) = data["categories"]["identity"]["models"]["learning.Enrollment"]
    assert enrollment == {"learner": user.pk}
    # The person's identifiers are in it; the bystander's are nowhere.
    assert token in readable_text(archive)
    assert bystander_token not in readable_text(archive)
    assert bystander.email not in readable_text(archive)


def test_r28_each_csv_has_a_header_of_the_declared_fields_and_the_persons_rows():
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    lines = list(csv.reader(io.StringIO(archive.read("csv/accounts.User.csv").decode())))
    assert lines[0] == personal_columns("accounts.User")
    assert len(lines) == 2
    row = dict(zip(lines[0], lines[1], strict=True))
    assert (row["email"], row["full_name"], row["phone"]) == (
        user.email,
        user.full_name,
        user.phone,  # "+45 ..." is a phone number, not a formula: left as it is
    )
    assert row["password"] == WITHHELD
    enrollments = list(
        csv.DictReader(io.StringIO(archive.read("csv/learning.Enrollment.csv").decode()))
    )
    assert [line["learner"] for line in enrollments] == [str(user.pk)]


def test_r28_a_csv_cell_a_spreadsheet_would_run_is_defused_but_json_keeps_it_exact():
    user, _token = marked_user()
    user.full_name = '=HYPERLINK("http://evil.example","x")'
    user.save(update_fields=["full_name"])
    person = Person.for_user(user)

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    row = next(csv.DictReader(io.StringIO(archive.read("csv/accounts.User.csv").decode())))
    assert row["full_name"] == "'" + user.full_name
    data = json.loads(archive.read("data.json"))
    assert data["categories"]["identity"]["models"]["accounts.User"][0]["full_name"] == (
        user.full_name
    )


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
    assert data["categories"]["contact"]["label"] == "Kontaktoplysninger"


def test_r28_an_unknown_language_falls_back_to_the_sites_default():
    user, _token = marked_user()

    archive = open_zip(build_export(Person.for_user(user), portability_only=False, language="xx"))

    assert '<html lang="en">' in archive.read("summary.html").decode()


def test_r28_someone_we_hold_nothing_about_gets_an_empty_copy_that_says_so():
    person = Person.for_email(f"nobody-{secrets.token_hex(6)}@example.org")

    archive = open_zip(build_export(person, portability_only=False, language="en"))

    assert json.loads(archive.read("data.json"))["categories"] == {}
    assert [name for name in archive.namelist() if name.startswith("csv/")] == []
    assert "We hold no data about you." in archive.read("summary.html").decode()
    assert archive.read("summary.pdf").startswith(b"%PDF-")


# --- The portable part ---------------------------------------------------------------------------


def test_r28_portability_only_holds_what_the_person_gave_or_produced_under_consent_or_contract():
    user, _token = marked_user()
    person = Person.for_user(user)
    build_everything_for(person)

    archive = open_zip(build_export(person, portability_only=True, language="en"))

    data = json.loads(archive.read("data.json"))
    assert data["portability_only"] is True
    exported = models_in(data)
    # Profile and progress are in it.
    assert {"accounts.User", "learning.Enrollment", "learning.LessonProgress"} <= exported
    profile = data["categories"]["profile"]["models"]["accounts.User"][0]
    assert profile["language"] == user.language
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
    assert set(data["categories"]) & {"credentials", "technical"} == set()
    # Exactly the declarations the rule admits, no others.
    admitted = {d.label for d in registry if d.holds_personal_data and is_portable(d)}
    assert exported <= admitted
    assert sorted(n for n in archive.namelist() if n.startswith("csv/")) == sorted(
        f"csv/{label}.csv" for label in exported
    )
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
    assert (job.status, job.expires_at - job.finished_at) == ("done", timedelta(days=7))
    with job.file.open("rb") as stored:
        data = json.loads(open_zip(stored.read()).read("data.json"))
    assert data["categories"]["contact"]["models"]["accounts.User"][0]["email"] == user.email
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
