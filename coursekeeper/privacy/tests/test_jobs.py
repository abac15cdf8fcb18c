"""Erasure and export jobs (R28, R29): durable rows, one transaction per person, reruns harmless."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.privacy import jobs, walks
from coursekeeper.privacy.factories import ConsentFactory
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, ExportJob
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ACCOUNT

pytestmark = pytest.mark.django_db(transaction=True)


def test_r29_requesting_erasure_disables_the_account_and_ends_every_session_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = UserFactory()
    browser = Client()
    browser.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    job = jobs.request_erasure(user=person)

    person.refresh_from_db()
    assert person.is_active is False
    assert UserSession.objects.filter(user=person).count() == 0
    assert browser.get(reverse("accounts:profile")).status_code == 302
    assert not may_process(Person.for_user(person), ACCOUNT)
    assert job.status == "queued"


def test_r29_the_erasure_job_erases_the_person_and_a_rerun_does_nothing(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = UserFactory()
    ConsentFactory(user=person)
    job = jobs.request_erasure(user=person)

    assert jobs.run_erasure_job(job_id=job.pk) is True
    assert jobs.run_erasure_job(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.user_id) == ("done", None)
    assert job.outcome["erased"]["accounts.User"] == 1
    assert User.objects.filter(pk=person.pk).count() == 0
    # The consent is withdrawn and only its proof is kept, until the limitation period ends.
    (proof,) = Consent.objects.all()
    assert (proof.user_id, proof.withdrawn_at is not None) == (None, True)
    assert proof.proof_release_at is not None and proof.withdrawn_at is not None
    assert proof.proof_release_at > proof.withdrawn_at


def test_r29_a_failure_midway_leaves_the_person_untouched(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person = UserFactory()
    ConsentFactory(user=person)
    job = jobs.request_erasure(user=person)
    real_anonymise = walks._anonymise

    def crash_after_some_deletes(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(walks, "_anonymise", crash_after_some_deletes)
    with pytest.raises(RuntimeError):
        jobs.run_erasure_job(job_id=job.pk)
    monkeypatch.setattr(walks, "_anonymise", real_anonymise)

    assert User.objects.filter(pk=person.pk).count() == 1
    assert Consent.objects.filter(user=person).count() == 1
    # Deleted before the crash (account.EmailAddress comes before admin.LogEntry), then restored.
    assert EmailAddress.objects.filter(user=person).count() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_r28_the_export_job_writes_the_persons_data_to_a_zip_valid_for_a_week(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MEDIA_ROOT = tmp_path
    person = UserFactory()
    job = jobs.request_export(user=person)

    assert jobs.run_export_job(job_id=job.pk) is True

    job = ExportJob.objects.get(pk=job.pk)
    with job.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        data = json.loads(archive.read("data.json"))
    (account,) = [r for r in data["records"] if r["type"] == "accounts.User"]
    assert account["values"]["email"]["value"] == person.email
    assert job.expires_at is not None and job.finished_at is not None
    assert (job.expires_at - job.finished_at).days == 7
