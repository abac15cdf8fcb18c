"""Staff pages of the recipients register (R37), disclosures on a legal order, and the record of
processing (R25) with its CSV and PDF exports. Owner and privacy officer only."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy import register
from coursekeeper.privacy.access.roles import KEEP_REGISTER, requires
from coursekeeper.privacy.models import ProviderSettings, Recipient
from coursekeeper.privacy.register_forms import DisclosureForm, RecipientForm
from coursekeeper.web.refusals import refusals_as_pages, show_on_form


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Recipients ----------------------------------------------------------------------------------


@requires(KEEP_REGISTER)
@require_http_methods(["GET"])
def recipient_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/register/recipients.html", register.recipients_overview())


def _recipient_form_page(request: HttpRequest, recipient: Recipient | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = RecipientForm(request.POST)
        if form.is_valid():
            try:
                saved = register.save_recipient(
                    acting_user=request.user,
                    data=form.cleaned_data,
                    recipient_id=recipient.pk if recipient else None,
                )
            except register.RegisterError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(
                    request, _("%(name)s is saved in the register.") % {"name": saved.name}
                )
                return redirect("privacy:recipients")
        else:
            status = 400
    elif recipient is not None:
        form = RecipientForm(initial=RecipientForm.initial_for(recipient))
    else:
        form = RecipientForm()
    context = {
        "form": form,
        "recipient": recipient,
        "history": register.recipient_history(recipient) if recipient else [],
    }
    return render(request, "privacy/register/recipient_form.html", context, status=status)


@requires(KEEP_REGISTER)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def recipient_new(request: HttpRequest) -> HttpResponse:
    return _recipient_form_page(request, None)


@requires(KEEP_REGISTER)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def recipient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = Recipient.objects.filter(pk=pk).first()
    if recipient is None:
        raise register.RegisterError("recipient_not_found")
    return _recipient_form_page(request, recipient)


# --- Disclosures on a legal order ----------------------------------------------------------------


@requires(KEEP_REGISTER)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def disclosure_new(request: HttpRequest) -> HttpResponse:
    """Log that a person's data went to an authority on a legal order; they see it (R37)."""
    status = 200
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                register.record_disclosure(
                    acting_user=request.user,
                    email=data["email"],
                    authority_id=data["authority"].pk,
                    categories=data["categories"],
                    order_reference=data["order_reference"],
                    order_date=data["order_date"],
                    disclosed_on=data["disclosed_on"],
                )
            except register.RegisterError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(
                    request,
                    _(
                        "The disclosure is recorded. The person sees it in their copy of their "
                        "data, and hears of later corrections or an erasure through it."
                    ),
                )
                return redirect("privacy:recipients")
        else:
            status = 400
    else:
        form = DisclosureForm()
    authorities = cast(forms.ModelChoiceField, form.fields["authority"]).queryset
    has_authorities = authorities is not None and authorities.exists()
    return render(
        request,
        "privacy/register/disclosure_form.html",
        {"form": form, "has_authorities": has_authorities},
        status=status,
    )


# --- The record of processing --------------------------------------------------------------------


@requires(KEEP_REGISTER)
@require_http_methods(["GET"])
def record_page(request: HttpRequest) -> HttpResponse:
    activities = register.record_of_processing()
    return render(
        request,
        "privacy/register/record.html",
        {
            "activities": activities,
            "controller": register.controller_from(ProviderSettings.load()),
            "measures": register.security_measures(),
            "missing": register.missing_for_record(),
        },
    )


@requires(KEEP_REGISTER)
@require_http_methods(["GET"])
@refusals_as_pages
def record_csv(request: HttpRequest) -> HttpResponse:
    """The record as CSV for an authority, in the staff member's language."""
    register.check_record_exportable()
    content = register.record_csv(register.record_of_processing())
    return _download(
        content,
        content_type="text/csv; charset=utf-8",
        filename=register.export_filename("csv"),
    )


@requires(KEEP_REGISTER)
@require_http_methods(["GET"])
@refusals_as_pages
def record_pdf(request: HttpRequest) -> HttpResponse:
    """The record as PDF for an authority, in the staff member's language."""
    register.check_record_exportable()
    language = translation.get_language()
    content = register.record_pdf(register.record_of_processing(), language=language)
    return _download(
        content, content_type="application/pdf", filename=register.export_filename("pdf")
    )
