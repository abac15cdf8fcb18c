"""The recipients register (R37), disclosures on a legal order, and the record of processing
(R25, GDPR Art. 30(1)) with its CSV and PDF exports."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.exports import build_export
from coursekeeper.privacy.factories import ConsentFactory, RecipientFactory
from coursekeeper.privacy.models import Disclosure, ProviderSettings, Recipient
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis
from coursekeeper.privacy.recipients import recipients_for
from coursekeeper.privacy.register import (
    PLATFORM_SECURITY_MEASURES,
    csv_columns,
    record_of_processing,
)
from coursekeeper.privacy.tests.test_pages import PROVIDER, staff_client
from coursekeeper.privacy.texts import retention_text

pytestmark = pytest.mark.django_db

# Purposes registered only by the test app that exercises the declaration's shapes.
TEST_ONLY_PREFIX = "shape_"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def fill_in_provider() -> ProviderSettings:
    provider = ProviderSettings.load()
    for name, value in PROVIDER.items():
        setattr(provider, name, value)
    provider.save()
    return provider


def used_purposes() -> dict[str, set[str]]:
    """Per purpose code that a declaration uses, the codes of the categories it processes."""
    used: dict[str, set[str]] = {}
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        for purpose in declaration.purposes:
            used.setdefault(purpose.code, set()).update(c.value for c in declaration.categories())
    return used


def recipient_form(**overrides) -> dict:
    token = secrets.token_hex(4)
    data = {
        "name": f"Postbud {token} ApS",
        "role": Recipient.Role.PROCESSOR,
        "service": "email delivery",
        "purposes": ["service_email"],
        "categories": ["contact", "communication"],
        "location": "Denmark",
        "safeguard": "",
        "agreement_date": "2025-01-15",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def logged_changes(model) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=content_type).order_by("pk"))


# --- Data subjects -------------------------------------------------------------------------------


def test_r25_every_purpose_of_the_platform_names_its_data_subjects():
    missing = [
        code
        for code, purpose in ALL_PURPOSES.items()
        if not code.startswith(TEST_ONLY_PREFIX) and not purpose.data_subjects
    ]

    assert missing == []
    assert [str(s) for s in ALL_PURPOSES["newsletter"].data_subjects] == ["newsletter subscribers"]


# --- The record of processing --------------------------------------------------------------------


def test_r25_the_record_has_one_activity_per_purpose_a_declaration_uses_in_registration_order():
    used = used_purposes()

    activities = record_of_processing()

    assert [activity.code for activity in activities] == [
        code for code in ALL_PURPOSES if code in used
    ]


def test_r25_each_activity_lists_exactly_the_categories_declared_under_its_purpose():
    labels = dict(Category.choices)

    for activity in record_of_processing():
        expected = [str(labels[c]) for c in Category.values if c in used_purposes()[activity.code]]
        assert activity.categories == expected, activity.code


def test_r25_each_activity_carries_basis_subjects_retention_and_the_security_measures():
    fill_in_provider()

    activities = {activity.code: activity for activity in record_of_processing()}

    security = activities["security"]
    assert security.legal_basis == "Legitimate interest (GDPR Art. 6(1)(f))"
    assert security.balancing_note == str(ALL_PURPOSES["security"].balancing_note)
    assert security.data_subjects == ["learners", "instructors", "staff", "visitors of the website"]
    assert security.controller.name == "Fjord Kurser ApS"
    assert security.controller.email == "privacy@fjord.example"
    assert security.security_measures == [str(m) for m in PLATFORM_SECURITY_MEASURES]
    account = activities["account"]
    assert account.balancing_note == ""  # a contract needs no balancing of interests
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        text = retention_text(declaration.retention)
        for purpose in declaration.purposes:
            assert text in [entry.text for entry in activities[purpose.code].retention], (
                declaration.label,
                purpose.code,
            )
    for activity in activities.values():
        assert activity.legal_basis_code in LegalBasis.values


def test_r25_r37_every_active_recipient_appears_under_each_of_its_purposes_and_nowhere_else():
    mail = RecipientFactory(purposes=["service_email", "newsletter"], categories=["contact"])
    cloud = RecipientFactory(
        name="Cloud Hosting Inc.",
        service="hosting",
        purposes=["account"],
        categories=["identity"],
        location="United States",
        outside_eea=True,
        safeguard=Recipient.Safeguard.DPF,
    )
    RecipientFactory(name="Former Mailer GmbH", purposes=["service_email"], active=False)

    activities = {activity.code: activity for activity in record_of_processing()}

    for code, activity in activities.items():
        names = [recipient.name for recipient in activity.recipients]
        expected = [r.name for r in (cloud, mail) if code in r.purposes]
        assert names == expected, code
    transfer = activities["account"].transfers
    assert [(t.name, t.location, t.safeguard) for t in transfer] == [
        ("Cloud Hosting Inc.", "United States", "EU-US Data Privacy Framework")
    ]
    assert activities["service_email"].transfers == []


# --- Recipients (R37) ----------------------------------------------------------------------------


def test_r37_a_recipient_added_on_the_form_shows_up_in_its_activity_and_the_change_is_logged():
    client = staff_client(Role.PRIVACY_OFFICER)
    form = recipient_form(purposes=["service_email"])

    response = client.post(reverse("privacy:recipient_new"), form)

    assert response.status_code == 302
    recipient = Recipient.objects.get(name=form["name"])
    assert (recipient.purposes, recipient.categories) == (
        ["service_email"],
        ["contact", "communication"],
    )
    activities = {activity.code: activity for activity in record_of_processing()}
    assert [r.name for r in activities["service_email"].recipients] == [form["name"]]
    assert [r.name for r in activities["account"].recipients] == []
    [entry] = logged_changes(Recipient)
    # The stubs leave LogEntry's foreign keys untyped.
    assert (entry.action_flag, entry.object_id, entry.user.role) == (  # type: ignore[attr-defined]
        ADDITION,
        str(recipient.pk),
        Role.PRIVACY_OFFICER,
    )
    listing = client.get(reverse("privacy:recipients")).content.decode()
    assert form["name"] in listing


def test_r37_editing_a_recipient_records_who_changed_which_fields_and_shows_the_history():
    client = staff_client(Role.OWNER)
    client.post(reverse("privacy:recipient_new"), recipient_form(name="Videomøde ApS"))
    recipient = Recipient.objects.get(name="Videomøde ApS")

    response = client.post(
        reverse("privacy:recipient_edit", args=[recipient.pk]),
        recipient_form(name="Videomøde ApS", location="Sweden", service="video meetings"),
    )

    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.location, recipient.service) == ("Sweden", "video meetings")
    added, changed = logged_changes(Recipient)
    assert (added.action_flag, changed.action_flag) == (ADDITION, CHANGE)
    assert json.loads(changed.change_message) == [
        {"changed": {"fields": ["what they do", "where the data is processed"]}}
    ]
    page = client.get(reverse("privacy:recipient_edit", args=[recipient.pk])).content.decode()
    assert "Changed what they do and where the data is processed." in page


def test_r37_saving_a_recipient_unchanged_logs_nothing():
    client = staff_client(Role.OWNER)
    form = recipient_form()
    client.post(reverse("privacy:recipient_new"), form)
    recipient = Recipient.objects.get(name=form["name"])

    client.post(reverse("privacy:recipient_edit", args=[recipient.pk]), form)

    assert [entry.action_flag for entry in logged_changes(Recipient)] == [ADDITION]


def test_r37_a_recipient_outside_the_eea_without_a_safeguard_is_refused_and_nothing_is_saved():
    client = staff_client(Role.PRIVACY_OFFICER)
    form = recipient_form(name="Faraway Mail Corp.", location="United States", outside_eea="on")

    response = client.post(reverse("privacy:recipient_new"), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Faraway Mail Corp. processes the data outside the EU/EEA, so the transfer needs a "
        "safeguard: choose an adequacy decision, standard contractual clauses or the EU-US Data "
        "Privacy Framework. Nothing was saved."
    ) in page
    assert Recipient.objects.count() == 0
    assert logged_changes(Recipient) == []


def test_r37_an_existing_recipient_moved_outside_the_eea_without_a_safeguard_is_left_as_it_was():
    client = staff_client(Role.PRIVACY_OFFICER)
    recipient = RecipientFactory(agreement_date=timezone.localdate())

    response = client.post(
        reverse("privacy:recipient_edit", args=[recipient.pk]),
        recipient_form(name=recipient.name, location="India", outside_eea="on"),
    )

    assert response.status_code == 400
    recipient.refresh_from_db()
    assert (recipient.location, recipient.outside_eea, recipient.safeguard) == (
        "Denmark",
        False,
        "",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"agreement_date": ""},
            "A processor works for us under a data-processing agreement (GDPR Art. 28(3)): give "
            "the date it was signed.",
        ),
        (
            {"role": Recipient.Role.JOINT_CONTROLLER, "agreement_date": ""},
            "Joint controllers need an arrangement between them (GDPR Art. 26): give the date "
            "it was agreed.",
        ),
        (
            {"safeguard": Recipient.Safeguard.SCC},
            "A transfer safeguard is only for a recipient outside the EU/EEA",
        ),
        ({"purposes": None}, "a recipient may use the data only for our purposes."),
        ({"categories": None}, "Tick the categories of data"),
        ({"purposes": ["sell_to_third_parties"]}, "Select a valid choice."),
    ],
)
def test_r37_a_recipient_the_law_does_not_allow_is_refused_with_what_is_missing(overrides, message):
    client = staff_client(Role.OWNER)

    response = client.post(reverse("privacy:recipient_new"), recipient_form(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Recipient.objects.count() == 0


def test_r37_an_authority_may_be_registered_without_routine_purposes():
    client = staff_client(Role.OWNER)

    response = client.post(
        reverse("privacy:recipient_new"),
        recipient_form(
            name="Politiet",
            role=Recipient.Role.AUTHORITY,
            service="police",
            purposes=None,
            categories=None,
            agreement_date="",
        ),
    )

    assert response.status_code == 302
    assert Recipient.objects.get(name="Politiet").purposes == []
    # It receives nothing routinely, so it is in no activity and in no person's routine list.
    assert all("Politiet" not in [r.name for r in a.recipients] for a in record_of_processing())


def test_r37_the_list_shows_inactive_recipients_apart():
    client = staff_client(Role.PRIVACY_OFFICER)
    RecipientFactory(name="Current Mail ApS")
    RecipientFactory(name="Former Mail ApS", active=False)

    page = client.get(reverse("privacy:recipients")).content.decode()

    active, inactive = page.split("No longer receiving data")
    assert "Current Mail ApS" in active and "Former Mail ApS" not in active
    assert "Former Mail ApS" in inactive


# --- Disclosures on a legal order (R37) ----------------------------------------------------------


def disclosure_form(authority: Recipient, email: str, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "email": email,
        "authority": str(authority.pk),
        "categories": ["identity", "contact"],
        "order_reference": "Retten i Odense, sag 12/2026, retsplejeloven § 804",
        "order_date": (today - timedelta(days=3)).isoformat(),
        "disclosed_on": today.isoformat(),
    }
    data.update(overrides)
    return data


def authority() -> Recipient:
    return RecipientFactory(
        name="Fyns Politi",
        role=Recipient.Role.AUTHORITY,
        service="police",
        purposes=[],
        categories=[],
    )


def test_r37_a_disclosure_to_an_authority_appears_in_the_persons_access_export():
    token = secrets.token_hex(6)
    learner = UserFactory(email=f"ordre-{token}@example.org", full_name=f"Ole {token}")
    police = authority()
    client = staff_client(Role.PRIVACY_OFFICER)

    response = client.post(
        reverse("privacy:disclosure_new"), disclosure_form(police, learner.email.upper())
    )

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    order_day = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert (disclosure.user, disclosure.email, disclosure.recipient, disclosure.categories) == (
        learner,
        learner.email,
        police,
        ["identity", "contact"],
    )
    assert disclosure.reason == f"Retten i Odense, sag 12/2026, retsplejeloven § 804 ({order_day})"
    [entry] = logged_changes(Disclosure)
    # The stubs leave LogEntry's foreign keys untyped.
    assert (entry.action_flag, entry.user.role) == (ADDITION, Role.PRIVACY_OFFICER)  # type: ignore[attr-defined]
    assert token not in entry.object_repr  # the log names the row, not the person

    person = Person.for_user(learner)
    lines = [line for line in recipients_for(person) if line.disclosed_at is not None]
    assert [(line.name, line.reason) for line in lines] == [("Fyns Politi", disclosure.reason)]
    archive = zipfile.ZipFile(
        io.BytesIO(build_export(person, portability_only=False, language="en"))
    )
    summary = archive.read("summary.html").decode()
    assert "Fyns Politi" in summary
    assert "Retten i Odense, sag 12/2026" in summary
    data = json.loads(archive.read("data.json"))
    (record,) = [r for r in data["records"] if r["type"] == "privacy.Disclosure"]
    assert record["values"]["reason"]["value"] == disclosure.reason
    assert record["name"] == "Recipient: Fyns Politi"


def test_r37_a_disclosure_about_someone_without_an_account_is_logged_against_their_address():
    address = f"subscriber-{secrets.token_hex(6)}@example.org"
    ConsentFactory(user=None, email=address)
    police = authority()
    client = staff_client(Role.OWNER)

    response = client.post(reverse("privacy:disclosure_new"), disclosure_form(police, address))

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert (disclosure.user, disclosure.email) == (None, address)
    lines = recipients_for(Person.for_email(address))
    assert [line.name for line in lines if line.disclosed_at] == ["Fyns Politi"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "nobody-here@example.org"}, "We hold no data about nobody-here@example.org"),
        ({"categories": []}, "Tick the categories of data you disclosed."),
        ({"order_reference": "   "}, "This field is required."),
        (
            {"order_date": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "The date cannot be in the future.",
        ),
        (
            {"disclosed_on": (timezone.localdate() - timedelta(days=10)).isoformat()},
            "The data cannot have been disclosed before the order was made.",
        ),
    ],
)
def test_r37_a_disclosure_that_cannot_be_right_is_refused_and_nothing_is_recorded(
    overrides, message
):
    learner = UserFactory()
    client = staff_client(Role.OWNER)
    form = disclosure_form(authority(), learner.email)
    form.update(overrides)

    response = client.post(reverse("privacy:disclosure_new"), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Disclosure.objects.count() == 0
    assert logged_changes(Disclosure) == []


def test_r37_only_an_active_authority_can_receive_a_disclosure():
    learner = UserFactory()
    processor = RecipientFactory()
    client = staff_client(Role.OWNER)

    response = client.post(
        reverse("privacy:disclosure_new"), disclosure_form(processor, learner.email)
    )

    assert response.status_code == 400
    assert Disclosure.objects.count() == 0


# --- Pages and exports ---------------------------------------------------------------------------


def test_r25_the_register_page_shows_every_activity_the_controller_and_the_measures():
    fill_in_provider()
    RecipientFactory(name="Postbud ApS", purposes=["service_email"])
    client = staff_client(Role.PRIVACY_OFFICER)

    response = client.get(reverse("privacy:register"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Record of processing</h1>" in page
    for activity in record_of_processing():
        assert f'<h2 id="activity-{activity.code}">{activity.name}</h2>' in page
    assert "Fjord Kurser ApS, CVR 87654321" in page
    assert "Postbud ApS (processor on our behalf; email delivery; Denmark)" in page
    assert str(PLATFORM_SECURITY_MEASURES[0]) in page
    assert "cannot be exported" not in page


def test_r25_the_csv_export_has_a_column_per_art_30_item_and_a_row_per_activity():
    fill_in_provider()
    RecipientFactory(name="=HYPERLINK(evil)", purposes=["service_email"])
    client = staff_client(Role.OWNER)

    response = client.get(reverse("privacy:register_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="record-of-processing-')
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == [
        "Processing activity",
        "Description",
        "Controller",
        "Controller's contact details",
        "Data-protection officer",
        "Joint controllers",
        "Legal basis",
        "Balancing of interests",
        "Data subjects",
        "Categories of personal data",
        "Recipients",
        "Transfers outside the EU/EEA and safeguards",
        "Time limits for erasure",
        "Security measures",
    ]
    assert header == csv_columns()
    activities = record_of_processing()
    assert [row[0] for row in body] == [activity.name for activity in activities]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    email = by_name["Service emails"]
    assert email["Controller"] == "Fjord Kurser ApS, CVR 87654321"
    assert email["Recipients"] == (
        "'=HYPERLINK(evil) (processor on our behalf; email delivery; Denmark)"
    )
    assert email["Legal basis"] == "Contract (GDPR Art. 6(1)(b))"
    assert by_name["Security"]["Balancing of interests"] == str(
        ALL_PURPOSES["security"].balancing_note
    )
    assert email["Security measures"].split("\n") == [str(m) for m in PLATFORM_SECURITY_MEASURES]


def test_r25_the_csv_is_in_the_staff_members_language():
    fill_in_provider()
    client = staff_client(Role.OWNER)
    client.post(reverse("web:switch_language"), {"language": "de"})

    response = client.get(reverse("privacy:register_csv"))

    with translation.override("de"):
        expected = [str(activity.legal_basis) for activity in record_of_processing()]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[6] for row in rows[1:]] == expected
    assert "Vertrag" in response.content.decode()  # "Contract (GDPR Art. 6(1)(b))" in German


def test_r25_the_pdf_export_is_a_pdf():
    fill_in_provider()
    client = staff_client(Role.PRIVACY_OFFICER)

    response = client.get(reverse("privacy:register_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")


def test_r25_the_exports_are_refused_while_the_controller_is_not_named():
    client = staff_client(Role.OWNER)

    for name in ("privacy:register_csv", "privacy:register_pdf"):
        response = client.get(reverse(name))

        assert response.status_code == 400
        assert (
            "The record of processing cannot be exported until the provider details name the "
            "controller: fill in legal name, street address, postal code, city, email for "
            "privacy questions."
        ) in response.content.decode()


STAFF_PAGES = [
    ("privacy:recipients", ()),
    ("privacy:recipient_new", ()),
    ("privacy:disclosure_new", ()),
    ("privacy:register", ()),
    ("privacy:register_csv", ()),
    ("privacy:register_pdf", ()),
]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.SUPPORT, Role.OPERATIONS])
def test_r25_r37_only_the_owner_and_the_privacy_officer_reach_the_register(role):
    fill_in_provider()
    recipient = RecipientFactory()
    if role == Role.LEARNER:
        user = UserFactory()
        client = Client()
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    else:
        client = staff_client(role)

    for name, args in [*STAFF_PAGES, ("privacy:recipient_edit", (recipient.pk,))]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(reverse("privacy:recipient_new"), recipient_form())
    assert response.status_code == 403
    assert Recipient.objects.count() == 1


def test_r25_r37_a_visitor_is_sent_to_sign_in():
    response = Client().get(reverse("privacy:register"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_r37_an_unknown_recipient_is_not_found():
    client = staff_client(Role.OWNER)

    assert client.get(reverse("privacy:recipient_edit", args=[999_999])).status_code == 404
