"""R33: the retention sweep deletes or anonymises what expired, in batches, and logs counts only.

The sweep is given its moment (`as_of`) explicitly, so every row sits at a known distance from
its expiry. The killed run is simulated by an exception raised from inside a batch's DELETE (a
statement wrapper on the connection, nothing of the sweep replaced), which is what a process
dying there looks like to the database: that batch's transaction never commits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.declarations import (
    Account,
    After,
    Anonymise,
    Declaration,
    Event,
    Hold,
    HoldReason,
)
from coursekeeper.privacy.factories import (
    ConsentFactory,
    ErasureJobFactory,
    ExportJobFactory,
    PolicyNoticeFactory,
    RightsRequestEventFactory,
    RightsRequestFactory,
    SessionFactory,
)
from coursekeeper.privacy.models import (
    Consent,
    ExportJob,
    PolicyNotice,
    ProviderSettings,
    RightsRequest,
    RightsRequestEvent,
    SweepLog,
)
from coursekeeper.privacy.sweep import BATCH, Rule, expiring_by_week, run_sweep
from coursekeeper.privacy.testing import declaration_of
from coursekeeper.privacy.tests.shapes.factories import ContactNoteFactory, HeldRecordFactory
from coursekeeper.privacy.tests.shapes.models import ContactNote, HeldRecord
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OUTBOX_DAYS = 30  # messaging.OutboxMessage: 30 days after it was sent


def outcome_of(report, label):
    (outcome,) = [outcome for outcome in report.rules if outcome.label == label]
    return outcome


def alive(model, *rows) -> list[bool]:
    return [model._base_manager.filter(pk=row.pk).exists() for row in rows]


def sent_message(*, expires_at: datetime, **kwargs) -> OutboxMessage:
    """An outbox message whose 30 days run out at `expires_at`."""
    return OutboxMessageFactory(
        status="done", sent_at=expires_at - timedelta(days=OUTBOX_DAYS), **kwargs
    )


class StatementFailure(BaseException):
    """Stands for the process dying mid-batch: not an error the sweep may catch."""


# --- What goes and what stays -------------------------------------------------------------------


def test_r33_the_sweep_deletes_expired_rows_of_every_declaration_and_keeps_the_rest():
    old_note = ContactNoteFactory(last_contact_at=NOW - timedelta(days=2 * 365 + 10))
    new_note = ContactNoteFactory(last_contact_at=NOW - timedelta(days=30))
    old_message = sent_message(expires_at=NOW - 5 * DAY)
    new_message = sent_message(expires_at=NOW + 5 * DAY)
    queued_message = OutboxMessageFactory(sent_at=None)  # not sent: nothing counts from it
    old_request = RightsRequestFactory(answered_at=NOW - timedelta(days=3 * 366), status="answered")
    open_request = RightsRequestFactory(answered_at=None)
    events = RightsRequestEventFactory.create_batch(2, request=old_request, at=NOW - DAY)
    proof = ErasureJobFactory(request=old_request)  # SET_NULL: the proof stays, unlinked
    old_session, new_session = SessionFactory(), SessionFactory()
    Session.objects.filter(pk=old_session.pk).update(expire_date=NOW - DAY)
    Session.objects.filter(pk=new_session.pk).update(expire_date=NOW + DAY)

    report = run_sweep(as_of=NOW)

    assert alive(ContactNote, old_note, new_note) == [False, True]
    assert alive(OutboxMessage, old_message, new_message, queued_message) == [False, True, True]
    assert alive(RightsRequest, old_request, open_request) == [False, True]
    assert alive(RightsRequestEvent, *events) == [False, False]
    proof.refresh_from_db()
    assert proof.user is not None
    assert (proof.request_id, proof.user_id) == (None, proof.user.pk)
    assert alive(Session, old_session, new_session) == [False, True]
    counts = {outcome.label: outcome.count for outcome in report.rules if outcome.count}
    assert counts == {
        "privacy_shapes.ContactNote": 1,
        "messaging.OutboxMessage": 1,
        "privacy.RightsRequest": 1,
        "sessions.Session": 1,
    }
    # The request's events went with it (CASCADE) and are counted as such.
    assert outcome_of(report, "privacy.RightsRequest").cascaded == {"privacy.RightsRequestEvent": 2}
    assert report.failed == []


def test_r33_a_row_a_day_before_its_expiry_stays_and_a_day_after_it_goes():
    day_before = sent_message(expires_at=NOW + DAY)
    at_expiry = sent_message(expires_at=NOW)
    day_after = sent_message(expires_at=NOW - DAY)
    # Two years after the last contact, counted in calendar years.
    two_years_ago = NOW.replace(year=NOW.year - 2)
    note_before = ContactNoteFactory(last_contact_at=two_years_ago + DAY)
    note_after = ContactNoteFactory(last_contact_at=two_years_ago - DAY)

    run_sweep(as_of=NOW)

    assert alive(OutboxMessage, day_before, at_expiry, day_after) == [True, True, False]
    assert alive(ContactNote, note_before, note_after) == [True, False]


def test_r33_a_held_row_stays_until_its_release_date_and_goes_after_it():
    held = HeldRecordFactory(held_until=NOW + DAY)
    released = HeldRecordFactory(held_until=NOW - DAY)
    in_force = ConsentFactory()  # a consent in force has no release date: never expired
    proof_held = ConsentFactory(withdrawn_at=NOW - DAY, proof_release_at=NOW + 300 * DAY)
    proof_released = ConsentFactory(withdrawn_at=NOW - 900 * DAY, proof_release_at=NOW - DAY)

    report = run_sweep(as_of=NOW)

    assert alive(HeldRecord, held, released) == [True, False]
    assert alive(Consent, in_force, proof_held, proof_released) == [True, True, False]
    assert outcome_of(report, "privacy_shapes.HeldRecord").count == 1
    assert outcome_of(report, "privacy.Consent").count == 1

    # Another year on, every hold but the consent still in force has ended.
    run_sweep(as_of=NOW + 400 * DAY)

    assert alive(HeldRecord, held) == [False]
    assert alive(Consent, in_force, proof_held) == [True, False]


@pytest.mark.parametrize(
    ("country", "last_kept", "first_gone"),
    [
        # forældelsesloven § 3: three years from the day itself.
        ("DK", datetime(2027, 3, 10, 12, 0, tzinfo=UTC), datetime(2027, 3, 10, 12, 1, tzinfo=UTC)),
        # §§ 195, 199 BGB: three years from the end of 2024.
        ("DE", datetime(2028, 1, 1, 0, 0, tzinfo=UTC), datetime(2028, 1, 1, 0, 1, tzinfo=UTC)),
    ],
)
def test_r46_answered_requests_and_policy_notices_go_when_the_countrys_limitation_ends(
    country, last_kept, first_gone
):
    """R46: the same request answered (and notice sent) on 10 March 2024 is kept until the
    limitation period of the provider's country has run out: 10 March 2027 in Denmark,
    1 January 2028 in Germany."""
    provider = ProviderSettings.load()
    provider.country = country
    provider.save()
    moment = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    request = RightsRequestFactory(answered_at=moment, status="answered")
    events = RightsRequestEventFactory.create_batch(2, request=request, at=moment)
    notice = PolicyNoticeFactory(created_at=moment)

    mid_2027 = datetime(2027, 6, 1, tzinfo=UTC)
    expired_in_mid_2027 = [
        declaration_of(model).expired(mid_2027).filter(pk=row.pk).exists()
        for model, row in ((RightsRequest, request), (PolicyNotice, notice))
    ]

    run_sweep(as_of=last_kept)
    at_the_end = alive(RightsRequest, request) + alive(RightsRequestEvent, *events)
    at_the_end += alive(PolicyNotice, notice)
    run_sweep(as_of=first_gone)
    after_it = alive(RightsRequest, request) + alive(PolicyNotice, notice)

    assert expired_in_mid_2027 == ([True, True] if country == "DK" else [False, False])
    assert at_the_end == [True, True, True, True]
    assert after_it == [False, False]


def test_r33_rows_others_keep_using_are_anonymised_not_deleted():
    """An erasure job is the proof an erasure happened: after 3 years it loses its link only."""
    user = UserFactory()
    old_job = ErasureJobFactory(user=user, requested_at=NOW - timedelta(days=4 * 365))
    new_job = ErasureJobFactory(user=user, requested_at=NOW - 30 * DAY)

    report = run_sweep(as_of=NOW)
    again = run_sweep(as_of=NOW)

    old_job.refresh_from_db()
    new_job.refresh_from_db()
    assert (old_job.user_id, new_job.user_id) == (None, user.pk)
    assert outcome_of(report, "privacy.ErasureJob").action == "anonymise"
    assert outcome_of(report, "privacy.ErasureJob").count == 1
    assert outcome_of(again, "privacy.ErasureJob").count == 0  # already anonymous: nothing to do


@pytest.mark.parametrize(
    ("retention", "subject", "action"),
    [
        (After(Event.CREATED, column="issued_at", years=5), Account("buyer", True), "anonymise"),
        # When a legal hold ends the row goes, even one an erasure would only anonymise.
        (
            Hold(
                rule="bookkeeping",
                release_column="held_until",
                reason=HoldReason.LEGAL_OBLIGATION,
            ),
            Account("buyer", True),
            "delete",
        ),
        # A row nobody else uses goes too.
        (After(Event.CREATED, column="issued_at", years=5), Account("buyer"), "delete"),
    ],
)
def test_r33_expired_rows_are_anonymised_only_when_they_stay_for_others(retention, subject, action):
    declaration = Declaration(
        model=HeldRecord,
        subject=subject,
        purposes=(),
        fields={},
        retention=retention,
        erasure=Anonymise({"buyer_name": ""}),
    )

    assert Rule(declaration).action == action


def test_r33_the_stored_files_of_deleted_rows_go_with_them(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    expired = ExportJobFactory(expires_at=NOW - DAY)
    valid = ExportJobFactory(expires_at=NOW + DAY)
    storage = expired.file.storage
    assert storage.exists(expired.file.name)

    run_sweep(as_of=NOW)

    assert alive(ExportJob, expired, valid) == [False, True]
    assert not storage.exists(expired.file.name)
    assert storage.exists(valid.file.name)


def test_r33_a_row_whose_retention_moves_while_its_batch_is_swept_is_not_deleted():
    """The DELETE repeats the expiry filter: a new last contact in between saves the row."""
    touched = ContactNoteFactory(last_contact_at=NOW - timedelta(days=800))
    untouched = ContactNoteFactory(last_contact_at=NOW - timedelta(days=800))
    state = {"done": False}

    def contact_again_after_the_selection(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not state["done"] and sql.startswith("SELECT") and "privacy_shapes_contactnote" in sql:
            state["done"] = True  # before the guard's own UPDATE runs through this wrapper
            ContactNote.objects.filter(pk=touched.pk).update(last_contact_at=NOW)
        return result

    with connection.execute_wrapper(contact_again_after_the_selection):
        report = run_sweep(as_of=NOW)

    assert state["done"]
    assert alive(ContactNote, touched, untouched) == [True, False]
    assert outcome_of(report, "privacy_shapes.ContactNote").count == 1


# --- Batches, reruns, a killed run --------------------------------------------------------------


def outbox_deletes(statements: list[str]) -> int:
    return sum(
        1 for sql in statements if sql.startswith("DELETE") and "messaging_outboxmessage" in sql
    )


def test_r33_rows_go_in_batches_each_its_own_transaction():
    messages = [sent_message(expires_at=NOW - DAY * (n + 1)) for n in range(5)]
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        report = run_sweep(as_of=NOW, batch_size=2)

    outcome = outcome_of(report, "messaging.OutboxMessage")
    assert (outcome.count, outcome.batches) == (5, 3)
    assert outbox_deletes(statements) == 3  # 2 + 2 + 1 rows
    assert alive(OutboxMessage, *messages) == [False] * 5
    log = SweepLog.objects.get(run_id=report.run_id, declaration="messaging.OutboxMessage")
    assert (log.count, log.batches, log.action, log.dry_run) == (5, 3, "delete", False)
    assert log.finished_at is not None


def test_r33_no_batch_holds_more_than_ten_thousand_rows():
    assert BATCH == 10_000
    with pytest.raises(ValueError):
        run_sweep(as_of=NOW, batch_size=BATCH + 1)
    with pytest.raises(CommandError):
        call_command("privacy_sweep", "--batch-size", "0", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_r33_a_run_killed_mid_batch_loses_nothing_and_the_next_run_finishes():
    messages = [sent_message(expires_at=NOW - DAY * (n + 1)) for n in range(5)]
    state = {"deletes": 0}

    def die_in_the_third_delete(execute, sql, params, many, context):
        if sql.startswith("DELETE") and "messaging_outboxmessage" in sql:
            state["deletes"] += 1
            if state["deletes"] == 3:
                raise StatementFailure
        return execute(sql, params, many, context)

    with pytest.raises(StatementFailure), connection.execute_wrapper(die_in_the_third_delete):
        run_sweep(as_of=NOW, batch_size=2)

    # Two whole batches were committed; the third never was, and the log says just that.
    assert alive(OutboxMessage, *messages) == [False, False, False, False, True]
    killed = SweepLog.objects.get(declaration="messaging.OutboxMessage")
    assert (killed.count, killed.batches, killed.finished_at) == (4, 2, None)

    report = run_sweep(as_of=NOW, batch_size=2)

    assert alive(OutboxMessage, *messages) == [False] * 5
    assert outcome_of(report, "messaging.OutboxMessage").count == 1


def test_r33_a_rule_that_fails_is_logged_and_the_others_still_run():
    note = ContactNoteFactory(last_contact_at=NOW.replace(year=2020))
    message = sent_message(expires_at=NOW - DAY)

    def refuse_contact_notes(execute, sql, params, many, context):
        if sql.startswith("DELETE") and "privacy_shapes_contactnote" in sql:
            raise OperationalError("the disk is full")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_contact_notes):
        report = run_sweep(as_of=NOW)
        with pytest.raises(CommandError, match=re.escape("privacy_shapes.ContactNote")):
            call_command("privacy_sweep", stdout=StringIO())

    assert [outcome.label for outcome in report.failed] == ["privacy_shapes.ContactNote"]
    assert alive(ContactNote, note) == [True]
    assert alive(OutboxMessage, message) == [False]
    log = SweepLog.objects.get(run_id=report.run_id, declaration="privacy_shapes.ContactNote")
    assert (log.error, log.count, log.finished_at is not None) == ("OperationalError", 0, True)
    assert "disk" not in log.error


def test_r33_rerunning_the_sweep_is_harmless():
    old = [
        sent_message(expires_at=NOW - DAY),
        ContactNoteFactory(last_contact_at=NOW.replace(year=2020)),
    ]
    kept = [sent_message(expires_at=NOW + DAY), HeldRecordFactory(held_until=NOW + DAY)]

    first = run_sweep(as_of=NOW)
    second = run_sweep(as_of=NOW)

    assert first.total("delete") == 2
    assert (second.total("delete"), second.total("anonymise"), second.failed) == (0, 0, [])
    assert [alive(type(row), row) for row in old + kept] == [[False], [False], [True], [True]]


def test_r33_a_dry_run_changes_nothing_and_reports_what_would_go():
    messages = [sent_message(expires_at=NOW - DAY) for _ in range(3)]
    note = ContactNoteFactory(last_contact_at=NOW.replace(year=2020))
    job = ErasureJobFactory(requested_at=NOW.replace(year=2020))

    report = run_sweep(as_of=NOW, dry_run=True)

    assert alive(OutboxMessage, *messages) == [True] * 3
    assert alive(ContactNote, note) == [True]
    job.refresh_from_db()
    assert job.user_id is not None
    assert outcome_of(report, "messaging.OutboxMessage").count == 3
    assert outcome_of(report, "privacy_shapes.ContactNote").count == 1
    assert outcome_of(report, "privacy.ErasureJob").count == 1
    logged = dict(
        SweepLog.objects.filter(run_id=report.run_id, count__gt=0).values_list(
            "declaration", "count"
        )
    )
    assert logged == {
        "messaging.OutboxMessage": 3,
        "privacy_shapes.ContactNote": 1,
        "privacy.ErasureJob": 1,
    }
    assert set(SweepLog.objects.values_list("dry_run", flat=True)) == {True}


def test_r33_the_command_prints_and_logs_counts_only_never_anyone_s_data(token):
    user = UserFactory(email=f"sweep-{token}@example.org", full_name=f"Sia {token} Sweep")
    long_ago = timezone.now() - timedelta(days=4 * 365)
    OutboxMessageFactory(
        recipient=user, email=user.email, subject=f"Hi {token}", status="done", sent_at=long_ago
    )
    ContactNoteFactory(
        email=f"note-{token}@example.org", name=f"Nora {token}", last_contact_at=long_ago
    )
    RightsRequestFactory(user=user, details=f"About {token}", answered_at=long_ago)
    ErasureJobFactory(user=user, requested_at=long_ago)

    dry, done = StringIO(), StringIO()
    call_command("privacy_sweep", "--dry-run", stdout=dry)
    call_command("privacy_sweep", "--batch-size", "2", stdout=done)

    assert (
        "messaging.OutboxMessage [30 days after sent (sent_at)]: would delete 1" in dry.getvalue()
    )
    assert "messaging.OutboxMessage [30 days after sent (sent_at)]: deleted 1 in 1 batches" in (
        done.getvalue()
    )
    assert "privacy.ErasureJob [limitation period after created (requested_at)]: anonymised 1" in (
        done.getvalue()
    )
    assert re.search(r"sweep [0-9a-f-]{36}: deleted 3, anonymised 1", done.getvalue())
    logged = [str(values) for values in SweepLog.objects.values_list()]
    assert len(logged) >= 2 * 20  # a line per rule and run
    for text in [dry.getvalue(), done.getvalue(), *logged]:
        assert token not in text
        assert user.email not in text


def test_r33_the_sweep_runs_daily_from_the_scheduler():
    from coursekeeper.jobs.registry import periodic_job

    job = periodic_job("privacy_sweep")

    assert (job.command, job.interval) == ("privacy_sweep", timedelta(days=1))


# --- The property -------------------------------------------------------------------------------

offsets = st.lists(st.integers(min_value=-3, max_value=3), min_size=1, max_size=7)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    as_of=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    sent_offsets=offsets,
    held_offsets=offsets,
    batch_size=st.integers(min_value=1, max_value=4),
)
def test_r33_property_the_sweep_deletes_exactly_the_rows_past_their_expiry(
    as_of, sent_offsets, held_offsets, batch_size
):
    """Each row expires `offset` days before `as_of` (negative: after it). The sweep must delete
    exactly those with offset >= 1 -- a day past expiry, always; a day before, or at it, never --
    under an `After` rule (outbox messages, 30 days after sending) and a `Hold` (held records,
    until their release date)."""
    with transaction.atomic():
        messages = {
            sent_message(expires_at=as_of - timedelta(days=offset)).pk: offset
            for offset in sent_offsets
        }
        held = {
            HeldRecordFactory(held_until=as_of - timedelta(days=offset)).pk: offset
            for offset in held_offsets
        }

        run_sweep(as_of=as_of, batch_size=batch_size)

        for model, rows in ((OutboxMessage, messages), (HeldRecord, held)):
            remaining = set(model._base_manager.values_list("pk", flat=True))
            assert remaining == {pk for pk, offset in rows.items() if offset < 1}
        transaction.set_rollback(True)


# --- The forecast and the staff page ------------------------------------------------------------


def test_r33_the_forecast_counts_what_expires_in_each_of_the_next_8_weeks():
    for days in (0.5, 3, 6.9):  # week 1
        sent_message(expires_at=NOW + timedelta(days=days))
    sent_message(expires_at=NOW + timedelta(days=7))  # the first moment of week 2
    sent_message(expires_at=NOW + timedelta(days=55.9))  # week 8
    sent_message(expires_at=NOW + timedelta(days=56))  # after the 8 weeks
    sent_message(expires_at=NOW - DAY)  # expired already
    HeldRecordFactory(held_until=NOW + timedelta(days=20))  # week 3
    ContactNoteFactory(last_contact_at=NOW.replace(year=2024) + timedelta(days=10))  # week 2
    ContactNoteFactory(last_contact_at=NOW)  # two years away

    forecast = expiring_by_week(NOW)

    lines = {line.rule.label: line for line in forecast.lines}
    assert lines["messaging.OutboxMessage"].weeks == [3, 1, 0, 0, 0, 0, 0, 1]
    assert lines["messaging.OutboxMessage"].overdue == 1
    assert lines["privacy_shapes.HeldRecord"].weeks == [0, 0, 1, 0, 0, 0, 0, 0]
    assert lines["privacy_shapes.ContactNote"].weeks == [0, 1, 0, 0, 0, 0, 0, 0]
    assert forecast.totals == [3, 2, 1, 0, 0, 0, 0, 1]
    assert (forecast.total, forecast.overdue) == (7, 1)
    assert forecast.starts == [NOW + timedelta(days=7 * n) for n in range(8)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [Role.LEARNER, Role.SUPPORT, Role.INSTRUCTOR])
def test_r33_the_retention_page_is_for_privacy_staff_only(role):
    if role == Role.LEARNER:
        learner = UserFactory()
        client = Client()
        client.force_login(learner)
    else:
        client = staff_client(role)

    assert client.get(reverse("privacy:retention")).status_code == 403
    anonymous = Client().get(reverse("privacy:retention"))
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous["Location"]


@pytest.mark.django_db(transaction=True)
def test_r33_the_privacy_officer_sees_the_8_week_chart_the_table_and_the_last_runs():
    now = timezone.now()
    for days in (1.5, 2.5):
        sent_message(expires_at=now + timedelta(days=days))  # week 1
    sent_message(expires_at=now + timedelta(days=17.5))  # week 3
    HeldRecordFactory(held_until=now + timedelta(days=45.5))  # week 7
    sent_message(expires_at=now - DAY)  # expired already
    run_sweep(as_of=now - 2 * DAY)  # a run that found nothing
    client = staff_client(Role.PRIVACY_OFFICER)

    response = client.get(reverse("privacy:retention"))

    assert response.status_code == 200
    forecast = response.context["forecast"]
    lines = {line.rule.label: line for line in forecast.lines}
    # (Signing the officer in wrote rows of its own: sessions, security events, axes logs.)
    assert lines["messaging.OutboxMessage"].weeks == [2, 0, 1, 0, 0, 0, 0, 0]
    assert lines["messaging.OutboxMessage"].overdue == 1
    assert lines["privacy_shapes.HeldRecord"].weeks == [0, 0, 0, 0, 0, 0, 1, 0]
    assert forecast.totals == [sum(line.weeks[n] for line in forecast.lines) for n in range(8)]
    page = response.content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in chart
    assert 'aria-labelledby="retention-chart-title"' in chart
    assert f"in each of the next 8 weeks, {forecast.total} in all" in chart
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+"\s+height="([\d.]+)"', chart)
    assert len(bars) == 8
    tallest = max(forecast.totals)
    assert [float(height) == 0 for height in bars] == [total == 0 for total in forecast.totals]
    assert float(bars[forecast.totals.index(tallest)]) == max(float(h) for h in bars)
    # The table has the same numbers as the chart: a row per kind of data, and the totals.
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert re.findall(r"<td>(\d+)</td>", footer) == [
        str(n) for n in [forecast.overdue, *forecast.totals, forecast.total]
    ]
    outbox_row = page[page.index("(messaging.OutboxMessage)") :].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", outbox_row) == [
        "1",
        "2",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "3",
    ]
    assert "messaging.OutboxMessage" in page and "privacy_shapes.HeldRecord" in page
    assert "Last runs of the sweep" in page and "Nothing had expired." in page
    assert reverse("privacy:retention") in page  # the navigation links to it


def test_r33_the_sweep_keeps_its_own_log_two_years():
    with time_machine.travel(NOW - timedelta(days=731), tick=False):
        old_run = run_sweep()
    with time_machine.travel(NOW - timedelta(days=729), tick=False):
        recent_run = run_sweep()
    assert SweepLog.objects.filter(run_id=old_run.run_id).exists()

    with time_machine.travel(NOW, tick=False):
        run_sweep()

    assert not SweepLog.objects.filter(run_id=old_run.run_id).exists()
    assert SweepLog.objects.filter(run_id=recent_run.run_id).exists()
