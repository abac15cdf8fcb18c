"""Pages of the certificates app: thin -- parse, call a selector or service, render (R9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.certificates import documents, limits, selectors, services
from coursekeeper.certificates.errors import CertificateError
from coursekeeper.certificates.forms import CertificateSettingsForm, RevokeForm, VerifyForm
from coursekeeper.privacy.access.roles import TEACH, requires
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

# The public check is not for search engines: a code's page names a person.
NOINDEX = "noindex, nofollow"


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """The form to type a code; a code sent with it goes to its own page."""
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        typed = "".join(ch for ch in form.cleaned_data["code"].upper() if ch.isalnum())
        if typed:
            return redirect("certificates:verify", code=typed)
        form.add_error("code", _("Type the code printed on the certificate."))
    status = 400 if request.GET else 200
    return _public(render(request, "certificates/verify_form.html", {"form": form}, status=status))


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """What a code certifies: valid, revoked, or "cannot be confirmed" (see `selectors`)."""
    if not limits.allow_check(request):
        return _public(render(request, "certificates/verify_limited.html", status=429))
    answer = selectors.verify_code(code[:40])
    status = 404 if answer.status == "not_found" else 200
    return _public(
        render(
            request,
            "certificates/verify.html",
            {"answer": answer, "form": VerifyForm()},
            status=status,
        )
    )


def verify_url_for(request: HttpRequest):
    def build(code: str) -> str:
        return request.build_absolute_uri(reverse("certificates:verify", args=[code]))

    return build


@login_required
@require_GET
@refusals_as_pages
def download(request: HttpRequest, slug: str) -> HttpResponse:
    """The signed-in learner's own certificate of the course, as PDF."""
    certificate, pdf = selectors.certificate_document(
        learner=request.user, slug=slug, verify_url_for=verify_url_for(request)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.download_name(certificate)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def course_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A course's certificate settings, and the certificates issued, for its instructor."""
    course = selectors.course_for_certificates(acting_user=request.user, slug=slug)
    form = CertificateSettingsForm(request.POST or None, instance=selectors.settings_of(course))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_certificate_settings(
                acting_user=request.user, course=course, settings=form.save(commit=False)
            )
        except CertificateError as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, _("The certificate settings are saved."))
            return redirect("certificates:course_settings", slug=course.slug)
    return render(
        request,
        "certificates/course_settings.html",
        {
            "course": course,
            "form": form,
            "issued": selectors.issued_certificates(
                acting_user=request.user, course=course, page_number=request.GET.get("page")
            ),
            "revoke_form": RevokeForm(),
            "documentation_waits": selectors.documentation_waits_for_policy(),
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(TEACH)
@require_POST
@refusals_as_pages
def course_revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Revoke one certificate of the course, with the reason."""
    course = selectors.course_for_certificates(acting_user=request.user, slug=slug)
    certificate = selectors.certificate_to_revoke(course=course, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        raise CertificateError("reason_missing")
    services.revoke_certificate(
        acting_user=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The certificate is revoked."))
    return redirect("certificates:course_settings", slug=course.slug)
