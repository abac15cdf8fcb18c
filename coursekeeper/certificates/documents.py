"""The certificate as a PDF, in the language it was issued in (R9).

Rendered on demand from the certificate's frozen copy, never stored: nothing is left in the
storage to erase with the person. WeasyPrint is given no way to fetch anything (every URL is
refused); the QR code of the verification address is inline SVG in the page itself.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from coursekeeper.certificates.models import Certificate


def qr_svg(text: str) -> str:
    """Return a QR code of `text` as an inline SVG element."""
    # No types ship with qrcode, and its stub package is not a dependency.
    import qrcode  # type: ignore[import-untyped]
    import qrcode.image.svg  # type: ignore[import-untyped]

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration


def provider_name() -> str:
    """Return the provider's name as the certificate prints it."""
    from coursekeeper.privacy.models import ProviderSettings

    return ProviderSettings.load().legal_name or settings.SCHOOL_NAME


def certificate_context(certificate: Certificate, *, verify_url: str) -> dict:
    return {
        "certificate": certificate,
        "language": certificate.language,
        "provider_name": provider_name(),
        "verify_url": verify_url,
        # Our own SVG markup of a URL we built; no input of a person's reaches it unescaped.
        "qr_code": mark_safe(qr_svg(verify_url)),  # noqa: S308
    }


def render_certificate_html(certificate: Certificate, *, verify_url: str) -> str:
    """Return the certificate as a self-contained HTML document in its own language."""
    with translation.override(certificate.language):
        return render_to_string(
            "certificates/certificate.html",
            certificate_context(certificate, verify_url=verify_url),
        )


def render_certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """Return the certificate as PDF; every URL is refused, so nothing is fetched."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=frozenset())
    return weasyprint.HTML(
        string=render_certificate_html(certificate, verify_url=verify_url),
        base_url=str(settings.BASE_DIR),
        url_fetcher=refuse_all,
    ).write_pdf()


def download_name(certificate: Certificate) -> str:
    return f"certificate-{certificate.code.lower()}.pdf"
