"""Invoices and credit notes (R14), and the One-Stop-Shop's evidence of where a buyer is (R11).

Numbers. Each seller has one gap-free series per calendar year (the year of issue in the
shop's time zone). The next number comes from the `InvoiceCounter` row for (seller, year),
locked with SELECT ... FOR UPDATE in the caller's transaction and incremented there: a
transaction that rolls back gives its number back with everything else, and two transactions
issuing at once queue on the row, so the series has no gap and no number twice. A database
sequence would hand out numbers that a rollback then loses. The row is created race-free first
(`bulk_create(ignore_conflicts=True)`: whoever comes second inserts nothing) and only then
locked. Issuing therefore MUST happen inside the transaction that records the sale; it is
refused outside one. On SQLite, writers are serialised anyway (IMMEDIATE transactions).

What is copied. An invoice copies the seller's details (the provider settings) and the
buyer's (the order) onto itself, with the currency, VAT scheme, rate and country, the lines and
the totals, so it reads the same after the order is erased or deleted and after the provider
moves. It points at the order and the account with SET_NULL.

The hold. `hold_country` is the seller's country, `release_at` the day its bookkeeping rule
pack (`privacy.rules`) lets the invoice go: Denmark 5 years from the end of the financial year
(the shop's settings say when that ends), Germany 8 years from the end of the calendar year.
Erasure keeps the invoice (`KeepHeld`) and tells the person so; the retention sweep deletes it
once `release_at` has passed.

Idempotency. `issue_invoice` returns the order's existing invoice, `issue_credit_note` the
refund's existing credit note, `record_vat_evidence` the order's existing evidence: each first
locks the row it hangs on (the order, the refund), so two calls at once still make one.

VAT evidence: for which sales. Evidence of the buyer's location is recorded for every sale to
a consumer in another EU country than the seller's -- One-Stop-Shop sales, sales under the
seller's own VAT below the EUR 10,000 threshold (the threshold is counted over exactly these
sales, and crossing it means OSS applies from then on), and exempt education sold there (the
exemption is the buyer's country's, so where the buyer is still decides it). Not for domestic
sales, reverse-charge sales (the buyer's VAT number is the evidence) or buyers outside the EU.
For those `record_vat_evidence` records nothing and returns None.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Sum
from django.db.transaction import TransactionManagementError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    Product,
    Refund,
    ShopSettings,
    VatEvidence,
    VatScheme,
)
from coursekeeper.commerce.privacy import ISSUE_INVOICE
from coursekeeper.commerce.vat import is_eu
from coursekeeper.privacy.access.roles import SEE_INVOICES, can
from coursekeeper.privacy.access.services import record_access
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.rules import release_date

logger = logging.getLogger(__name__)

SELLER = "main"
INVOICED_STATUSES = {
    Order.Status.PAID,
    Order.Status.PARTIALLY_REFUNDED,
    Order.Status.REFUNDED,
}
STAFF_PAGE_SIZE = 50


# --- Issuing ------------------------------------------------------------------------------------


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "Invoices are issued inside the transaction that records the sale, so a rollback "
            "gives the number back; call this inside transaction.atomic()."
        )


def _seller() -> ProviderSettings:
    """Return the provider settings, refusing when an invoice could not name the seller."""
    seller = ProviderSettings.load()
    required = (
        seller.legal_name,
        seller.street_address,
        seller.postal_code,
        seller.city,
        seller.country,
        seller.vat_number,
    )
    if not all(value.strip() for value in required):
        raise CommerceError("invoice_seller_incomplete")
    return seller


def seller_can_invoice() -> bool:
    """Return whether the provider's details are complete enough to issue an invoice."""
    try:
        _seller()
    except CommerceError:
        return False
    return True


def _release_at(*, country: str, rule: str, moment):
    shop = ShopSettings.current()
    try:
        return release_date(
            country=country,
            rule=rule,
            event_at=timezone.localtime(moment),
            financial_year_end=(shop.financial_year_end_month, shop.financial_year_end_day),
        )
    except LookupError as error:
        raise CommerceError("invoice_no_bookkeeping_rule") from error


def _next_number(*, year: int) -> tuple[int, str]:
    """Take the next number of `year`'s series under a row lock; see the module docstring."""
    InvoiceCounter.objects.bulk_create(
        [InvoiceCounter(seller=SELLER, year=year)], ignore_conflicts=True
    )
    counter = InvoiceCounter.objects.select_for_update().get(seller=SELLER, year=year)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    prefix = ShopSettings.current().invoice_prefix
    return counter.last_sequence, f"{prefix}{year}-{counter.last_sequence:05d}"


def _language(language: str) -> str:
    offered = {code for code, _name in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


def _new_document(*, seller: ProviderSettings, issued_at, **fields) -> Invoice:
    """Number and create an invoice or credit note with the seller's details and its hold."""
    release_at = _release_at(country=seller.country, rule="bookkeeping", moment=issued_at)
    year = timezone.localtime(issued_at).year
    sequence, number = _next_number(year=year)
    return Invoice.objects.create(
        seller=SELLER,
        year=year,
        sequence=sequence,
        number=number,
        issued_at=issued_at,
        seller_name=seller.legal_name,
        seller_address=f"{seller.street_address}\n{seller.postal_code} {seller.city}",
        seller_country=seller.country,
        seller_vat_number=seller.vat_number,
        seller_company_number=seller.company_number,
        hold_country=seller.country,
        release_at=release_at,
        **fields,
    )


def issue_invoice(*, order: Order) -> Invoice:
    """Return the order's invoice, issuing it now (numbered, copied, held) if it has none.

    Call inside the transaction that records the payment. Refuses (`CommerceError`) an order
    that is not paid and a seller whose legal name, address or VAT number is missing.
    """
    _require_transaction()
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    if order.status not in INVOICED_STATUSES:
        raise CommerceError("invoice_order_not_paid")
    # Bookkeeping rests on a legal obligation: the gate refuses it only when the policy in
    # effect does not announce it.
    if not ISSUE_INVOICE.ask(Person.for_account_or_email(order.buyer, order.email)):
        raise CommerceError("processing_refused")
    seller = _seller()
    invoice = _new_document(
        seller=seller,
        issued_at=timezone.now(),
        kind=Invoice.Kind.INVOICE,
        order=order,
        buyer=order.buyer,
        language=_language(order.language),
        buyer_name=order.full_name,
        buyer_company=order.company_name,
        buyer_email=order.email,
        buyer_address=f"{order.street_address}\n{order.postal_code} {order.city}",
        buyer_country=order.country,
        buyer_vat_number=order.vat_number,
        currency=order.currency,
        net_minor=order.subtotal_minor - order.discount_minor,
        vat_minor=order.vat_minor,
        total_minor=order.total_minor,
        vat_rate=order.vat_rate,
        vat_country=order.vat_country,
        vat_scheme=order.vat_scheme,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                description=line.description,
                quantity=line.quantity,
                unit_net_minor=line.unit_net_minor,
                net_minor=line.net_minor,
                vat_minor=line.vat_minor,
            )
            for line in order.lines.order_by("pk")
        ]
    )
    logger.info("invoice issued number=%s order=%s", invoice.number, order.pk)
    return invoice


def _proportion(amount: int, part: int, whole: int) -> int:
    """Return `amount * part / whole`, rounded half up to a whole minor unit."""
    if whole == 0:
        return 0
    value = Decimal(amount) * Decimal(part) / Decimal(whole)
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def issue_credit_note(*, refund: Refund) -> Invoice:
    """Return the refund's credit note, issuing it now if it has none.

    A credit note is an invoice of kind credit note in the same number series, with negative
    amounts, naming the invoice it corrects (`credit_for`, and `credited_number`, which stays
    when the sweep deletes the older invoice first). A refund of everything still open on the
    invoice negates its lines; a partial refund credits one line with the VAT in proportion
    (`refund / invoice total` of the invoice's VAT, rounded half up), and the last refund that
    closes the invoice takes exactly what is left, so the credit notes add up to the invoice.
    The refund's amount is what the buyer gets back, VAT included.
    """
    _require_transaction()
    refund = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
    if refund.credit_note is not None:
        return refund.credit_note
    if refund.status != Refund.Status.SUCCEEDED:
        raise CommerceError("refund_not_completed")
    original = issue_invoice(order=refund.order)
    credited = original.credit_notes.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(
        total=Sum("total_minor"), vat=Sum("vat_minor")
    )
    open_total = original.total_minor + (credited["total"] or 0)
    open_vat = original.vat_minor + (credited["vat"] or 0)
    amount = refund.amount_minor
    if amount <= 0 or amount > open_total:
        raise CommerceError("credit_exceeds_invoice")
    seller = _seller()
    closes_invoice = amount == open_total
    whole_invoice = closes_invoice and open_total == original.total_minor
    vat = (
        open_vat
        if closes_invoice
        else _proportion(original.vat_minor, amount, original.total_minor)
    )
    net = amount - vat
    note = _new_document(
        seller=seller,
        issued_at=timezone.now(),
        kind=Invoice.Kind.CREDIT_NOTE,
        credit_for=original,
        credited_number=original.number,
        order=original.order,
        buyer=original.buyer,
        language=original.language,
        buyer_name=original.buyer_name,
        buyer_company=original.buyer_company,
        buyer_email=original.buyer_email,
        buyer_address=original.buyer_address,
        buyer_country=original.buyer_country,
        buyer_vat_number=original.buyer_vat_number,
        currency=original.currency,
        net_minor=-net,
        vat_minor=-vat,
        total_minor=-amount,
        vat_rate=original.vat_rate,
        vat_country=original.vat_country,
        vat_scheme=original.vat_scheme,
    )
    if whole_invoice:
        lines = [
            InvoiceLine(
                invoice=note,
                description=line.description,
                quantity=line.quantity,
                unit_net_minor=-line.unit_net_minor,
                net_minor=-line.net_minor,
                vat_minor=-line.vat_minor,
            )
            for line in original.lines.order_by("pk")
        ]
    else:
        with translation.override(original.language):
            description = translation.gettext("Partial refund of invoice %(number)s") % {
                "number": original.number
            }
        lines = [
            InvoiceLine(
                invoice=note,
                description=description[:200],
                quantity=1,
                unit_net_minor=-net,
                net_minor=-net,
                vat_minor=-vat,
            )
        ]
    InvoiceLine.objects.bulk_create(lines)
    refund.credit_note = note
    refund.save(update_fields=["credit_note"])
    logger.info("credit note issued number=%s corrects=%s", note.number, original.number)
    return note


# --- VAT location evidence ----------------------------------------------------------------------


def needs_vat_evidence(order: Order, *, seller_country: str) -> bool:
    """Whether the sale is to a consumer in another EU country (see the module docstring).

    Admission to an event attended in person is taxed where the event is, so where the buyer
    is proves nothing for it.
    """
    if order.vat_scheme in (VatScheme.REVERSE_CHARGE, VatScheme.OUTSIDE_EU, VatScheme.EVENT_VENUE):
        return False
    attendance = set(order.lines.values_list("product__event_attendance", flat=True))
    if attendance == {Product.Attendance.IN_PERSON}:
        return False
    if order.vat_scheme in (VatScheme.OSS, VatScheme.HOME_BELOW_THRESHOLD):
        return True
    return order.country != seller_country and is_eu(order.country)


def record_vat_evidence(
    *, order: Order, card_country: str = "", ip_country: str = ""
) -> VatEvidence | None:
    """Record where a consumer in another EU country is, once per order (Reg. 282/2011 Art. 24b).

    The billing country comes from the order; the card's and the IP address's countries from
    the caller (empty when not known). `consistent` is true when two items agree: the billing
    country with the card's, or with the IP's. Kept 10 years from the end of the calendar
    year under the seller's "oss_records" rule. Return None, recording nothing, for a sale
    that needs no evidence (domestic, reverse charge, outside the EU).
    """
    _require_transaction()
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = VatEvidence.objects.filter(order=order).first()
    if existing is not None:
        return existing
    seller_country = ProviderSettings.load().country
    if not needs_vat_evidence(order, seller_country=seller_country):
        return None
    billing = order.country.upper()
    card = (card_country or "").strip().upper()[:2]
    ip = (ip_country or "").strip().upper()[:2]
    recorded_at = timezone.now()
    invoice = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    evidence = VatEvidence.objects.create(
        order=order,
        buyer=order.buyer,
        invoice_number=invoice.number if invoice else "",
        billing_country=billing,
        card_country=card,
        ip_country=ip,
        charged_country=order.vat_country,
        consistent=billing in {card, ip},
        recorded_at=recorded_at,
        release_at=_release_at(country=seller_country, rule="oss_records", moment=recorded_at),
    )
    logger.info("VAT evidence recorded order=%s consistent=%s", order.pk, evidence.consistent)
    return evidence


# --- The document -------------------------------------------------------------------------------


def _country_name(code: str) -> str:
    from coursekeeper.accounts.choices import COUNTRY_CHOICES

    return str(dict(COUNTRY_CHOICES).get(code, code))


def invoice_context(invoice: Invoice) -> dict:
    """Return what the invoice template shows; call inside `translation.override`."""
    return {
        "invoice": invoice,
        "language": invoice.language,
        "lines": list(invoice.lines.order_by("pk")),
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "seller_country_name": _country_name(invoice.seller_country),
        "buyer_country_name": _country_name(invoice.buyer_country),
        "vat_country_name": _country_name(invoice.vat_country) if invoice.vat_country else "",
        "school_name": settings.SCHOOL_NAME,
    }


def render_invoice_html(invoice: Invoice) -> str:
    """Return the invoice as a self-contained HTML document in the invoice's language."""
    with translation.override(invoice.language):
        return render_to_string("commerce/invoice/invoice.html", invoice_context(invoice))


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """Return the invoice as PDF (WeasyPrint); every URL is refused, so nothing is fetched."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=frozenset())
    return weasyprint.HTML(
        string=render_invoice_html(invoice),
        base_url=str(settings.BASE_DIR),
        url_fetcher=refuse_all,
    ).write_pdf()


def download_name(invoice: Invoice) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in invoice.number)
    return f"{invoice.get_kind_display()}-{safe}.pdf".replace(" ", "-").lower()


# --- Reads for the pages, and the log of staff views --------------------------------------------


def invoice_of_buyer(*, user, number: str) -> Invoice | None:
    """Return the invoice or credit note `number` if `user` is its buyer, else None."""
    if not (user and user.is_authenticated):
        return None
    return Invoice.objects.filter(number=number, buyer=user).first()


def _check_staff(acting_user) -> None:
    if not can(acting_user, SEE_INVOICES):
        raise CommerceError("not_allowed")


def staff_invoice_page(*, acting_user, query: str = "", page_number=None) -> Page:
    """Return one page of invoices, newest first, those whose number contains `query`.

    The invoices on the page are logged as seen by `acting_user` (R35): the list shows their buyers.
    """
    _check_staff(acting_user)
    invoices = Invoice.objects.only(
        "pk",
        "number",
        "kind",
        "issued_at",
        "buyer_name",
        "buyer_company",
        "currency",
        "total_minor",
        "release_at",
        "hold_country",
        "credited_number",
    )
    query = query.strip()
    if query:
        invoices = invoices.filter(number__icontains=query)
    page = Paginator(invoices.order_by("-issued_at", "-pk"), STAFF_PAGE_SIZE).get_page(page_number)
    record_access(
        acting_user=acting_user,
        rows=page.object_list,
        place="commerce:staff_invoices",
        categories=["identity", "payment", "profile"],
    )
    return page


def open_invoice_for_staff(*, acting_user, number: str) -> Invoice:
    """Return invoice `number` for a staff member to read, logging the view."""
    _check_staff(acting_user)
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        raise CommerceError("invoice_not_found")
    record_access(acting_user=acting_user, rows=[invoice], place="commerce:staff_invoice")
    return invoice
