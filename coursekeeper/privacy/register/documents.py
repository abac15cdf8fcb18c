"""The record of processing as documents for an authority: CSV, a standalone HTML page, PDF.

Each is rendered in the active language from the activities `record.record_of_processing`
returns; a cell a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.register.record import Activity, controller_from


def csv_columns() -> list[str]:
    """Return the CSV header: one column per item of Art. 30(1), in the active language."""
    return [
        _("Processing activity"),
        _("Description"),
        _("Controller"),
        _("Controller's contact details"),
        _("Data-protection officer"),
        _("Joint controllers"),
        _("Legal basis"),
        _("Balancing of interests"),
        _("Data subjects"),
        _("Categories of personal data"),
        _("Recipients"),
        _("Transfers outside the EU/EEA and safeguards"),
        _("Time limits for erasure"),
        _("Security measures"),
    ]


def _cell(value: str) -> str:
    from coursekeeper.privacy.exports import _csv_cell

    return _csv_cell(value)


def _lines(items) -> str:
    return "\n".join(str(item) for item in items)


def record_csv(activities: list[Activity]) -> bytes:
    """Return the record as CSV, UTF-8 with a byte-order mark so spreadsheets read it right.

    One row per activity; several values in a cell are one per line. A text a spreadsheet would
    run as a formula (a recipient named "=…") gets a leading apostrophe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns())
    for activity in activities:
        controller = activity.controller
        head = ", ".join(part for part in (controller.name, controller.company_number) if part)
        writer.writerow(
            [
                _cell(value)
                for value in (
                    activity.name,
                    activity.description,
                    head,
                    controller.contact,
                    controller.dpo,
                    _lines(r.describe() for r in activity.joint_controllers),
                    activity.legal_basis,
                    activity.balancing_note,
                    _lines(activity.data_subjects),
                    _lines(activity.categories),
                    _lines(r.describe() for r in activity.recipients),
                    _lines(r.describe_transfer() for r in activity.transfers),
                    _lines(r.describe() for r in activity.retention),
                    _lines(activity.security_measures),
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def record_document_html(activities: list[Activity], *, language: str) -> str:
    """Return the record as a standalone HTML document (for the PDF), in the active language."""
    provider = ProviderSettings.load()
    return render_to_string(
        "privacy/register/record_document.html",
        {
            "language": language,
            "activities": activities,
            "controller": controller_from(provider),
            "provider": provider,
            "school_name": settings.SCHOOL_NAME,
            "generated_at": timezone.now(),
        },
    )


def record_pdf(activities: list[Activity], *, language: str) -> bytes:
    """Return the record as PDF (WeasyPrint; every URL refused, so nothing is fetched)."""
    from coursekeeper.privacy.exports import summary_pdf

    return summary_pdf(record_document_html(activities, language=language))


def export_filename(extension: str) -> str:
    return f"record-of-processing-{timezone.localdate().isoformat()}.{extension}"
