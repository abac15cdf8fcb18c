"""The seam for structured e-invoices: which formats an invoice can be produced in.

Today the one format is the PDF (`invoices.render_invoice_pdf`), which every buyer can read.
Public-sector buyers need structured invoices instead -- Peppol BIS Billing 3.0 (EN 16931)
across the EU, OIOUBL 2.1 or Peppol through NemHandel in Denmark, XRechnung in Germany -- and
those come as further entries in `FORMATS`, each saying for which invoices it applies. Callers
never ask "is Peppol implemented?": they ask `formats_for(invoice)` what can be produced, and a
format that is not registered simply is not offered. No placeholder raises NotImplementedError
and no UBL is faked; a half-right structured invoice is worse than none, because the buyer's
system rejects it or, worse, books it.

What a Peppol BIS / OIOUBL implementation must add before it registers here:
- the buyer's electronic address (BT-49, `cbc:EndpointID` with its scheme: 0184 for a Danish
  CVR number, 0088 for a GLN/EAN location number, 0204 for a German Leitweg-ID), asked for at
  checkout when the buyer says they are a public body, and copied onto the invoice like the
  other buyer details (a new field on `Order` and `Invoice`, and in their declarations);
- the buyer reference (BT-10; mandatory for Danish public buyers, the Leitweg-ID in Germany)
  and the buyer's order reference (BT-13), both copied onto the invoice;
- the seller's own endpoint id (its CVR number under scheme 0184, or its Peppol participant
  id), in the provider settings;
- the payment means (BT-81) and, for a credit note, the preceding invoice reference (BT-25,
  already kept as `credited_number`);
- a renderer producing the UBL 2.1 XML from the invoice's copied fields only (never from the
  order, which an erasure may have removed), validated against the official Schematron rules
  in the tests (the CEN/Peppol and OIOUBL validation artefacts, run offline);
- delivery through a Peppol access point or NemHandel, as an outbox-like job row, since the
  XML is sent to the network rather than downloaded.
Then: `register(InvoiceFormat(code="peppol-bis-3", ...,
                             applies=lambda i: bool(i.buyer_endpoint_id)))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Invoice


@dataclass(frozen=True)
class InvoiceFormat:
    """One way an invoice can be produced: its code, its name, and how to make it."""

    code: str
    label: object  # a lazily translated name
    media_type: str
    extension: str
    render: Callable[[Invoice], bytes]
    applies: Callable[[Invoice], bool] = lambda invoice: True


FORMATS: dict[str, InvoiceFormat] = {}


def register(invoice_format: InvoiceFormat) -> InvoiceFormat:
    FORMATS[invoice_format.code] = invoice_format
    return invoice_format


def _render_pdf(invoice: Invoice) -> bytes:
    from coursekeeper.commerce.invoices import render_invoice_pdf

    return render_invoice_pdf(invoice)


PDF = register(
    InvoiceFormat(
        code="pdf",
        label=_("PDF document"),
        media_type="application/pdf",
        extension="pdf",
        render=_render_pdf,
    )
)


def formats_for(invoice: Invoice) -> list[InvoiceFormat]:
    """Return the formats `invoice` can be produced in, the PDF first."""
    return [
        invoice_format for invoice_format in FORMATS.values() if invoice_format.applies(invoice)
    ]


def produce(invoice: Invoice, code: str = "pdf") -> tuple[InvoiceFormat, bytes]:
    """Return the format and the bytes of `invoice` in format `code`; refuse one not offered."""
    for invoice_format in formats_for(invoice):
        if invoice_format.code == code:
            return invoice_format, invoice_format.render(invoice)
    raise CommerceError("invoice_format_unavailable")
