"""R14 invoices and credit notes, R11 VAT location evidence, R29/R35 around them.

Numbers come from the locked counter row; the dates are set with time_machine, so every
release date is an exact calendar date. The PDF is checked as a PDF by its header (no PDF text
extractor is installed) and its content through the HTML it is rendered from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.commerce import einvoice
from coursekeeper.commerce.errors import MESSAGES, CommerceError
from coursekeeper.commerce.factories import OrderFactory, OrderLineFactory, RefundFactory
from coursekeeper.commerce.invoices import (
    issue_credit_note,
    issue_invoice,
    record_vat_evidence,
    render_invoice_html,
    render_invoice_pdf,
)
from coursekeeper.commerce.models import (
    Invoice,
    InvoiceCounter,
    Refund,
    ShopSettings,
    VatEvidence,
    VatScheme,
)
from coursekeeper.commerce.templatetags.money import format_money
from coursekeeper.privacy.models import ErasureJob, ProviderSettings, StaffAccess
from coursekeeper.privacy.tests.test_pages import staff_client
from tests.browser.conftest import accessibility_violations, browser  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MARCH_15_2026 = dt.datetime(2026, 3, 15, 10, 0, tzinfo=COPENHAGEN)


def set_up_seller(country: str = "DK", **changes) -> ProviderSettings:
    seller = ProviderSettings.load()
    values = {
        "legal_name": "Fjord Kurser ApS",
        "street_address": "Havnegade 3",
        "postal_code": "5000",
        "city": "Odense C",
        "country": country,
        "vat_number": "DK87654321" if country == "DK" else "DE123456789",
        "company_number": "CVR 87654321",
    }
    values.update(changes)
    for name, value in values.items():
        setattr(seller, name, value)
    seller.save()
    return seller


def set_financial_year_end(month: int, day: int, prefix: str = "") -> None:
    shop = ShopSettings.current()
    shop.financial_year_end_month, shop.financial_year_end_day = month, day
    shop.invoice_prefix = prefix
    shop.save()


def paid_order(**kwargs):
    order = OrderFactory(**kwargs)
    OrderLineFactory(order=order, description="Course: Bookkeeping for beginners")
    return order


@pytest.fixture
def seller():
    return set_up_seller()


def invoice_at(moment: dt.datetime, **order_kwargs) -> Invoice:
    with time_machine.travel(moment, tick=False), transaction.atomic():
        return issue_invoice(order=paid_order(**order_kwargs))


# --- Numbers ------------------------------------------------------------------------------------


def test_r14_numbers_are_consecutive_per_year_and_restart_at_one_in_a_new_year(seller):
    set_financial_year_end(12, 31, prefix="INV-")
    march = [invoice_at(MARCH_15_2026) for _ in range(3)]
    new_year = invoice_at(dt.datetime(2027, 1, 1, 0, 30, tzinfo=COPENHAGEN))
    december = invoice_at(dt.datetime(2027, 12, 31, 23, 30, tzinfo=COPENHAGEN))

    assert [i.number for i in march] == ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]
    # 00:30 on 1 January in Copenhagen is still 31 December in UTC: the shop's year counts.
    assert (new_year.number, new_year.year, new_year.sequence) == ("INV-2027-00001", 2027, 1)
    assert december.number == "INV-2027-00002"
    assert dict(InvoiceCounter.objects.values_list("year", "last_sequence")) == {2026: 3, 2027: 2}


def test_r14_a_rolled_back_transaction_leaves_no_gap(seller):
    first = invoice_at(MARCH_15_2026)
    with (
        time_machine.travel(MARCH_15_2026, tick=False),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        issue_invoice(order=paid_order())
        raise RuntimeError("the sale failed after the invoice was numbered")
    after = invoice_at(MARCH_15_2026)

    assert (first.sequence, after.sequence) == (1, 2)
    assert Invoice.objects.count() == 2


def test_r14_issuing_twice_for_one_order_returns_the_same_invoice(seller):
    order = paid_order()
    with transaction.atomic():
        first = issue_invoice(order=order)
        again = issue_invoice(order=order)

    assert again.pk == first.pk
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceCounter.objects.get().last_sequence == 1


@pytest.mark.parametrize(
    "missing", ["legal_name", "street_address", "postal_code", "city", "vat_number"]
)
def test_r14_no_invoice_without_the_sellers_name_address_and_vat_number(missing):
    set_up_seller(**{missing: ""})
    order = paid_order()

    with pytest.raises(CommerceError) as refused, transaction.atomic():
        issue_invoice(order=order)

    assert refused.value.code == "invoice_seller_incomplete"
    assert "VAT number" in refused.value.message
    assert (
        Invoice.objects.count(),
        InvoiceCounter.objects.filter(last_sequence__gt=0).count(),
    ) == (
        0,
        0,
    )


def test_r14_an_unpaid_order_gets_no_invoice(seller):
    order = paid_order(status="pending", paid_at=None)

    with pytest.raises(CommerceError) as refused, transaction.atomic():
        issue_invoice(order=order)

    assert refused.value.code == "invoice_order_not_paid"
    assert Invoice.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_r14_issuing_outside_a_transaction_is_refused(seller):
    order = paid_order()

    with pytest.raises(TransactionManagementError):
        issue_invoice(order=order)

    assert Invoice.objects.count() == 0


# --- What the invoice holds, and for how long ---------------------------------------------------


def test_r14_the_invoice_copies_seller_buyer_lines_and_totals(seller, token):
    invoice = invoice_at(
        MARCH_15_2026,
        full_name=f"Bea {token} Buyer",
        company_name=f"Firma {token} ApS",
        vat_number="",
        street_address=f"Købmagergade {token}",
    )

    assert (invoice.seller_name, invoice.seller_vat_number, invoice.seller_country) == (
        "Fjord Kurser ApS",
        "DK87654321",
        "DK",
    )
    assert invoice.seller_address == "Havnegade 3\n5000 Odense C"
    assert (invoice.buyer_name, invoice.buyer_company) == (
        f"Bea {token} Buyer",
        f"Firma {token} ApS",
    )
    assert invoice.buyer_address == f"Købmagergade {token}\n1150 København K"
    assert (invoice.net_minor, invoice.vat_minor, invoice.total_minor) == (80000, 20000, 100000)
    assert (invoice.vat_rate, invoice.vat_scheme, invoice.language) == (
        Decimal("25.00"),
        "domestic",
        "da",
    )
    assert list(invoice.lines.values_list("description", "net_minor", "vat_minor")) == [
        ("Course: Bookkeeping for beginners", 80000, 20000)
    ]
    assert invoice.order is not None
    assert invoice.buyer == invoice.order.buyer


@pytest.mark.parametrize(
    ("country", "year_end", "released"),
    [
        ("DK", (12, 31), dt.date(2032, 1, 1)),  # 5 years from the end of the financial year
        ("DE", (12, 31), dt.date(2035, 1, 1)),  # 8 years from the end of the calendar year
        ("DK", (6, 30), dt.date(2031, 7, 1)),  # the financial year 2025/26 ends 30 June 2026
        ("DE", (6, 30), dt.date(2035, 1, 1)),  # Germany counts the calendar year regardless
    ],
)
def test_r14_an_invoice_is_held_under_the_sellers_bookkeeping_law(country, year_end, released):
    set_up_seller(country)
    set_financial_year_end(*year_end)

    invoice = invoice_at(MARCH_15_2026)

    assert invoice.hold_country == country
    local = timezone.localtime(invoice.release_at)
    assert (local.date(), local.time()) == (released, dt.time(0, 0))


# --- The PDF ------------------------------------------------------------------------------------


def test_r14_the_pdf_is_a_pdf_with_the_number_and_the_buyer_in_their_language(seller, token):
    invoice = invoice_at(MARCH_15_2026, full_name=f"Bea {token} Buyer", language="en")

    pdf = render_invoice_pdf(invoice)
    html = render_invoice_html(invoice)

    assert pdf.startswith(b"%PDF-")
    assert invoice.number in html
    assert f"Bea {token} Buyer" in html
    assert "Fjord Kurser ApS" in html and "DK87654321" in html
    assert "DKK 1,000.00" in html and "DKK 800.00" in html and "DKK 200.00" in html
    assert "25 %" in html
    assert "Invoice number" in html
    assert "Reverse charge" not in html


def test_r14_the_pdf_of_a_reverse_charge_sale_says_who_accounts_for_the_vat(seller):
    invoice = invoice_at(
        MARCH_15_2026,
        language="en",
        country="DE",
        currency="EUR",
        company_name="Kunde GmbH",
        vat_number="DE123456789",
        vat_scheme=VatScheme.REVERSE_CHARGE,
        vat_country="DE",
        vat_rate=Decimal("0"),
        vat_minor=0,
        total_minor=80000,
    )

    html = render_invoice_html(invoice)

    assert (
        "Reverse charge: VAT to be accounted for by the recipient (Art. 196 VAT Directive)" in html
    )
    assert "DE123456789" in html and "Kunde GmbH" in html
    assert "EUR 800.00" in html


def test_r14_the_money_filter_writes_amounts_as_each_language_does():
    assert [
        format_money(123456, "DKK", "da"),
        format_money(123456, "EUR", "de"),
        format_money(123456, "DKK", "en"),
        format_money(123456, "EUR", "en"),
        format_money(-5, "EUR", "da"),
        format_money(-123456, "DKK", "en"),
        format_money(100000000, "DKK", "de"),
    ] == [
        "1.234,56 kr.",
        "1.234,56 €",
        "DKK 1,234.56",
        "EUR 1,234.56",
        "-0,05 €",
        "DKK -1,234.56",
        "1.000.000,00 kr.",
    ]
    with translation.override("da"):
        from django.template import Context, Template

        rendered = Template("{% load money %}{{ amount|money:'DKK' }}").render(
            Context({"amount": 99950})
        )
    assert rendered == "999,50 kr."


def test_r14_the_pdf_is_the_one_format_offered_until_a_structured_one_is_registered(seller):
    invoice = invoice_at(MARCH_15_2026)

    assert [f.code for f in einvoice.formats_for(invoice)] == ["pdf"]
    with pytest.raises(CommerceError) as refused:
        einvoice.produce(invoice, "peppol-bis-3")
    assert refused.value.code == "invoice_format_unavailable"


# --- Credit notes -------------------------------------------------------------------------------


def test_r14_a_full_refund_gets_a_credit_note_that_negates_the_invoice(seller):
    invoice = invoice_at(MARCH_15_2026, language="en")
    refund = RefundFactory(order=invoice.order, amount_minor=100000)

    with (
        time_machine.travel(MARCH_15_2026 + dt.timedelta(days=3), tick=False),
        transaction.atomic(),
    ):
        note = issue_credit_note(refund=refund)
        again = issue_credit_note(refund=refund)

    assert again.pk == note.pk
    assert (note.kind, note.number, note.credit_for, note.credited_number) == (
        "credit_note",
        "2026-00002",
        invoice,
        invoice.number,
    )
    assert (note.net_minor, note.vat_minor, note.total_minor) == (-80000, -20000, -100000)
    assert list(note.lines.values_list("net_minor", "vat_minor")) == [(-80000, -20000)]
    assert (note.buyer_name, note.hold_country) == (invoice.buyer_name, "DK")
    refund.refresh_from_db()
    assert refund.credit_note == note
    html = render_invoice_html(note)
    assert "Credit note" in html
    assert f"This credit note corrects invoice {invoice.number}." in html
    assert "DKK -1,000.00" in html


def test_r14_partial_refunds_credit_vat_in_proportion_and_add_up_to_the_invoice(seller):
    invoice = invoice_at(MARCH_15_2026)  # 800.00 + 200.00 VAT = 1,000.00
    first = RefundFactory(order=invoice.order, amount_minor=33333)
    rest = RefundFactory(order=invoice.order, amount_minor=66667)

    with transaction.atomic():
        first_note = issue_credit_note(refund=first)
        rest_note = issue_credit_note(refund=rest)

    # 333.33 back, of which VAT 200.00 * 333.33 / 1,000.00 = 66.666 -> 66.67.
    assert (first_note.total_minor, first_note.vat_minor, first_note.net_minor) == (
        -33333,
        -6667,
        -26666,
    )
    # The last one takes exactly what is left.
    assert (rest_note.total_minor, rest_note.vat_minor) == (-66667, -13333)
    assert first_note.total_minor + rest_note.total_minor == -invoice.total_minor
    assert first_note.vat_minor + rest_note.vat_minor == -invoice.vat_minor
    assert list(first_note.lines.values_list("quantity", "net_minor", "vat_minor")) == [
        (1, -26666, -6667)
    ]


def test_r14_no_credit_note_beyond_the_invoice_nor_for_a_refund_not_yet_made(seller):
    invoice = invoice_at(MARCH_15_2026)
    too_much = RefundFactory(order=invoice.order, amount_minor=100001)
    pending = RefundFactory(order=invoice.order, amount_minor=100, status=Refund.Status.PENDING)

    for refund, code in [(too_much, "credit_exceeds_invoice"), (pending, "refund_not_completed")]:
        with pytest.raises(CommerceError) as refused, transaction.atomic():
            issue_credit_note(refund=refund)
        assert refused.value.code == code
        assert str(MESSAGES[code])

    assert Invoice.objects.filter(kind="credit_note").count() == 0
    assert InvoiceCounter.objects.get().last_sequence == 1


# --- VAT location evidence ----------------------------------------------------------------------


def oss_order(**kwargs):
    return paid_order(
        country="DE",
        currency="EUR",
        vat_scheme=VatScheme.OSS,
        vat_country="DE",
        vat_rate=Decimal("19.00"),
        vat_minor=15200,
        total_minor=95200,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("card", "ip", "consistent"),
    [("DE", "", True), ("AT", "DE", True), ("AT", "", False), ("", "", False), ("de", "", True)],
)
def test_r11_vat_evidence_needs_two_items_that_agree(seller, card, ip, consistent):
    order = oss_order()
    with time_machine.travel(MARCH_15_2026, tick=False), transaction.atomic():
        invoice = issue_invoice(order=order)
        evidence = record_vat_evidence(order=order, card_country=card, ip_country=ip)

    assert evidence is not None
    assert (evidence.billing_country, evidence.card_country, evidence.ip_country) == (
        "DE",
        card.upper(),
        ip,
    )
    assert (evidence.charged_country, evidence.consistent) == ("DE", consistent)
    assert evidence.invoice_number == invoice.number
    assert evidence.buyer == order.buyer
    # Ten years from the end of the calendar year (VAT Directive Art. 369k).
    assert timezone.localtime(evidence.release_at).date() == dt.date(2037, 1, 1)


def test_r11_vat_evidence_is_recorded_once_per_order(seller):
    order = oss_order()
    with transaction.atomic():
        first = record_vat_evidence(order=order, card_country="DE")
        again = record_vat_evidence(order=order, card_country="AT")

    assert first is not None and again is not None
    assert again.pk == first.pk
    assert (VatEvidence.objects.count(), again.card_country) == (1, "DE")


@pytest.mark.parametrize(
    "order_kwargs",
    [
        {},  # a domestic sale
        {"country": "DE", "vat_number": "DE123456789", "vat_scheme": VatScheme.REVERSE_CHARGE},
        {"country": "US", "vat_scheme": VatScheme.OUTSIDE_EU, "vat_country": ""},
    ],
)
def test_r11_no_location_evidence_where_the_buyers_location_decides_nothing(seller, order_kwargs):
    order = paid_order(**order_kwargs)

    with transaction.atomic():
        assert record_vat_evidence(order=order, card_country="DK") is None

    assert VatEvidence.objects.count() == 0


def test_r11_a_consumer_in_another_eu_country_under_the_home_threshold_gets_evidence(seller):
    order = paid_order(country="SE", vat_scheme=VatScheme.HOME_BELOW_THRESHOLD)

    with transaction.atomic():
        evidence = record_vat_evidence(order=order, card_country="SE")

    assert evidence is not None
    assert (evidence.billing_country, evidence.charged_country, evidence.consistent) == (
        "SE",
        "DK",
        True,
    )


# --- Pages --------------------------------------------------------------------------------------


def test_r14_the_buyer_downloads_their_own_invoice_and_nobody_else_gets_it(seller):
    invoice = invoice_at(MARCH_15_2026)
    assert invoice.buyer is not None
    buyer_client, other_client = Client(), Client()
    buyer_client.force_login(invoice.buyer)
    other_client.force_login(UserFactory())
    url = reverse("invoices:mine", args=[invoice.number])

    mine = buyer_client.get(url)
    theirs = other_client.get(url)
    no_such = buyer_client.get(reverse("invoices:mine", args=["2026-99999"]))
    anonymous = Client().get(url)

    assert (mine.status_code, mine["Content-Type"]) == (200, "application/pdf")
    assert mine.content.startswith(b"%PDF-")
    assert invoice.number.lower() in mine["Content-Disposition"]
    assert (theirs.status_code, no_such.status_code) == (404, 404)
    # The same page as for a number nobody has: nothing of the invoice is in it.
    assert invoice.buyer_name not in theirs.content.decode()
    assert theirs.templates[0].name == no_such.templates[0].name
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert StaffAccess.objects.count() == 0  # a buyer reading their own is no staff view


@pytest.mark.django_db(transaction=True)
def test_r35_staff_list_search_and_download_invoices_and_each_look_is_logged(seller, token):
    first = invoice_at(MARCH_15_2026, full_name=f"Ann {token} First")
    second = invoice_at(MARCH_15_2026, full_name=f"Bo {token} Second")
    support = staff_client(Role.SUPPORT)

    listing = support.get(reverse("invoices:staff_list"))
    found = support.get(reverse("invoices:staff_list"), {"number": second.number})
    document = support.get(reverse("invoices:staff_document", args=[first.number]))
    missing = support.get(reverse("invoices:staff_document", args=["1999-00001"]))

    assert listing.status_code == 200
    page = listing.content.decode()
    assert f"Ann {token} First" in page and f"Bo {token} Second" in page
    assert "1.000,00 kr." in page or "DKK 1,000.00" in page
    found_page = found.content.decode()
    assert f"Bo {token} Second" in found_page and f"Ann {token} First" not in found_page
    assert (document.status_code, document.content[:5]) == (200, b"%PDF-")
    assert missing.status_code == 404
    staff = User.objects.get(role=Role.SUPPORT)
    assert sorted(
        StaffAccess.objects.filter(staff=staff).values_list("object_id", "place", "user")
    ) == sorted(
        [
            (str(first.pk), "commerce:staff_invoices", first.buyer_id),
            (str(second.pk), "commerce:staff_invoices", second.buyer_id),
            (str(second.pk), "commerce:staff_invoices", second.buyer_id),
            (str(first.pk), "commerce:staff_invoice", first.buyer_id),
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_r35_a_learner_or_instructor_sees_no_staff_invoice_page(seller):
    invoice = invoice_at(MARCH_15_2026)
    assert invoice.buyer is not None
    learner = Client()
    learner.force_login(invoice.buyer)
    instructor = staff_client(Role.INSTRUCTOR)

    for client in (learner, instructor):
        assert client.get(reverse("invoices:staff_list")).status_code == 403
        assert (
            client.get(reverse("invoices:staff_document", args=[invoice.number])).status_code == 403
        )
    assert StaffAccess.objects.count() == 0


# --- Erasure ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_r29_erasure_keeps_the_invoice_and_the_answer_says_under_which_law_until_when(
    smtp_server, token
):
    set_up_seller("DK")
    buyer = UserFactory(email=f"inv-{token}@example.org", full_name=f"Ivo {token} Buyer")
    invoice = invoice_at(MARCH_15_2026, buyer=buyer, full_name=buyer.full_name, language="en")
    client = Client()
    client.post(reverse("account_login"), {"login": buyer.email, "password": PASSWORD})

    page = client.get(reverse("privacy:erase_account")).content.decode()
    response = client.post(reverse("privacy:erase_account"), {"password": PASSWORD})

    assert "What a law makes us keep" in page and "bogføringsloven" in page
    assert response.status_code == 200
    assert ErasureJob.objects.get().status == "done"
    assert not User.objects.filter(pk=buyer.pk).exists()
    kept = Invoice.objects.get(pk=invoice.pk)
    assert (kept.buyer_id, kept.buyer_name, kept.number) == (
        None,
        f"Ivo {token} Buyer",
        invoice.number,
    )
    (answer,) = [
        mail
        for mail in smtp_server.wait_for(buyer.email, count=2)
        if "Answer to your request" in str(mail.message["Subject"])
    ]
    body = answer.message.get_payload(decode=True).decode()
    with translation.override("en"):
        until = formats.date_format(timezone.localtime(kept.release_at), "DATE_FORMAT")
    assert "What a law makes us keep, and until when:" in body
    assert f"Invoices (1): bogføringsloven (lov nr. 700 af 24/05/2022), until {until}" in body
    assert timezone.localtime(kept.release_at).date() == dt.date(2032, 1, 1)


# --- In the browser -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r35_the_staff_invoice_list_passes_wcag_aa_checks_and_searches_by_number(
    browser,  # noqa: F811 - the fixture
    live_server,
    token,
):
    from playwright.sync_api import expect

    from coursekeeper.contact.tests.test_browser import sign_in_staff
    from tests.browser.test_account_journey import new_page

    set_up_seller("DK")
    invoice_at(MARCH_15_2026, full_name=f"Ann {token} First")
    second = invoice_at(MARCH_15_2026, full_name=f"Bo {token} Second")
    page = new_page(browser)
    sign_in_staff(page, live_server.url, Role.SUPPORT)

    page.goto(live_server.url + reverse("invoices:staff_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    assert accessibility_violations(page) == []
    page.get_by_label("Invoice number").fill(second.number)
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("link", name=second.number)).to_be_visible()
    expect(page.get_by_text(f"Ann {token} First")).to_have_count(0)
    assert accessibility_violations(page) == []
