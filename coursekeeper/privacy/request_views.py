"""Pages for rights: the person's own privacy page, the public request form, the staff queue.

A refusal is the shared refusal page (`refusals_as_pages`), except on a form with something the
person typed (a staff member's answer, reasons, a note): that form comes back with the reason
beside the field it is about (`show_on_form`), so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.privacy import jobs, rights
from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, requires
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.forms import (
    AccountRequestForm,
    AnswerForm,
    EraseAccountForm,
    ExtendForm,
    FeeForm,
    NoteForm,
    ReasonForm,
    RecipientToldForm,
    RestrictionForm,
    StaffLogRequestForm,
    SubmissionKeyMixin,
    VisitorRequestForm,
)
from coursekeeper.privacy.models import RightsRequest
from coursekeeper.privacy.participants import AFTER, BEFORE, described
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.recipient_notices import services as recipient_notices
from coursekeeper.privacy.selectors import (
    my_privacy_overview,
    request_queue,
    what_erasure_keeps,
)
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

Kind = RightsRequest.Kind


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- The person's own page ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_privacy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything a person can do about their data, from one page (R27 to R32)."""
    context = my_privacy_overview(request.user)
    context.update(
        {
            "correction_form": AccountRequestForm(),
            "restriction_form": RestrictionForm(),
            # Several forms carry a hidden key: without ids, none repeats another's.
            "submission_form": SubmissionKeyMixin(auto_id=False),
        }
    )
    return render(request, "privacy/my_privacy.html", context)


@login_required
@require_POST
@refusals_as_pages
def request_copy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start an export: everything (access) or the portable part only (portability)."""
    portable = request.POST.get("portable") == "1"
    key = request.POST.get("submission_key") or None
    filed = rights.file_request(
        kind=Kind.PORTABILITY if portable else Kind.ACCESS,
        channel=RightsRequest.Channel.ACCOUNT,
        user=request.user,
        base_url=_base_url(request),
        submission_key=key,
    )
    rights.start_export_for_request(request=filed, base_url=_base_url(request))
    messages.success(
        request, _("We are putting your copy together. We email you when it is ready.")
    )
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def request_correction(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what we should correct."))
        return redirect("privacy:my_privacy")
    rights.file_request(
        kind=Kind.RECTIFICATION,
        channel=RightsRequest.Channel.ACCOUNT,
        user=request.user,
        details=form.cleaned_data["details"],
        urgent=form.cleaned_data["urgent"],
        base_url=_base_url(request),
        submission_key=form.cleaned_data["submission_key"] or None,
    )
    messages.success(request, _("Your request is received. You can follow it on this page."))
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def request_restriction(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RestrictionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be read. Please try again."))
        return redirect("privacy:my_privacy")
    rights.restrict_processing(
        user=request.user,
        details=form.cleaned_data["details"],
        urgent=form.cleaned_data["urgent"],
        base_url=_base_url(request),
        submission_key=form.cleaned_data["submission_key"] or None,
    )
    messages.success(
        request,
        _("Processing of your data is restricted from now on. We review your request."),
    )
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def lift_restriction(request: AuthenticatedHttpRequest) -> HttpResponse:
    rights.lift_restriction(user=request.user, acting_user=request.user)
    messages.success(request, _("The restriction is lifted."))
    return redirect("privacy:my_privacy")


@login_required
@require_POST
@refusals_as_pages
def object_to_purpose(request: AuthenticatedHttpRequest) -> HttpResponse:
    rights.object_to(
        user=request.user,
        purpose_code=request.POST.get("purpose", ""),
        base_url=_base_url(request),
        submission_key=request.POST.get("submission_key") or None,
    )
    messages.success(request, _("Your objection is recorded. That processing has stopped."))
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def withdraw_consent(request: AuthenticatedHttpRequest, consent_id: int) -> HttpResponse:
    if rights.withdraw_consent(user=request.user, consent_id=consent_id):
        messages.success(request, _("Your consent is withdrawn."))
    else:
        messages.error(request, _("That consent was already withdrawn."))
    return redirect("privacy:my_privacy")


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm with the password, then erase: the account closes at once (R29)."""
    user = request.user
    if request.method == "POST":
        form = EraseAccountForm(request.POST)
        if form.is_valid() and user.check_password(form.cleaned_data["password"]):
            base_url = _base_url(request)
            filed = rights.file_request(
                kind=Kind.ERASURE,
                channel=RightsRequest.Channel.ACCOUNT,
                user=user,
                base_url=base_url,
                submission_key=form.cleaned_data["submission_key"] or None,
            )
            jobs.request_erasure(user=user, request=filed)
            logout(request)
            return render(request, "privacy/erasure_started.html")
        if form.is_valid():
            form.add_error("password", _("The password is not right."))
        status = 400
    else:
        form = EraseAccountForm()
        status = 200
    return render(
        request,
        "privacy/erase_account.html",
        {
            "form": form,
            "kept": what_erasure_keeps(Person.for_user(user)),
            "before_erasure": described(BEFORE),
            "after_erasure": described(AFTER),
        },
        status=status,
    )


# --- Visitors -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def visitor_request(request: HttpRequest) -> HttpResponse:
    """A request from someone not signed in; it counts once they confirm from their inbox."""
    if request.method == "POST":
        form = VisitorRequestForm(request.POST)
        if form.is_valid():
            rights.file_request(
                kind=form.cleaned_data["kind"],
                channel=RightsRequest.Channel.WEB_FORM,
                email=form.cleaned_data["email"],
                details=form.cleaned_data["details"],
                urgent=form.cleaned_data["urgent"],
                base_url=_base_url(request),
                submission_key=form.cleaned_data["submission_key"] or None,
            )
            # The same page for every address, known or not: it says nothing about who is here.
            return render(request, "privacy/request_sent.html")
        status = 400
    else:
        form = VisitorRequestForm()
        status = 200
    return render(request, "privacy/visitor_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@refusals_as_pages(template="privacy/confirm_request.html")
def confirm_request(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a link scanner opening the link confirms nothing."""
    if request.method == "GET":
        return render(request, "privacy/confirm_request.html")
    filed = rights.confirm_request(token=token, base_url=_base_url(request))
    return render(request, "privacy/request_confirmed.html", {"filed": filed})


# --- Staff: the queue ---------------------------------------------------------------------------


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET"])
def request_queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    return render(
        request,
        "privacy/request_queue.html",
        {"rows": request_queue(show_all=show_all), "show_all": show_all, "now": timezone.now()},
    )


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def log_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log a request that came by email, post or phone."""
    if request.method == "POST":
        form = StaffLogRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            received_at = timezone.make_aware(
                dt.datetime.combine(data["received_on"], dt.time(12, 0))
            )
            received_at = min(received_at, timezone.now())
            try:
                filed = rights.file_request(
                    kind=data["kind"],
                    channel=data["channel"],
                    email=data["email"],
                    details=data["details"],
                    language=data["language"],
                    acting_user=request.user,
                    received_at=received_at,
                    urgent=data["urgent"],
                    base_url=_base_url(request),
                    submission_key=data["submission_key"] or None,
                )
            except PrivacyError as refusal:
                status = show_on_form(form, refusal, field=REFUSAL_FIELDS.get(refusal.code))
            else:
                messages.success(request, _("The request is logged and the person is told."))
                return redirect("privacy:request_detail", filed.pk)
        else:
            status = 400
    else:
        form = StaffLogRequestForm(initial={"received_on": timezone.localdate()})
        status = 200
    return render(request, "privacy/log_request.html", {"form": form}, status=status)


# The staff forms on a request's page: the action each posts to, its name on the page, its form.
STAFF_FORMS = {
    "extend": ("extend_form", ExtendForm),
    "fee": ("fee_form", FeeForm),
    "refuse": ("reason_form", ReasonForm),
    "answer": ("answer_form", AnswerForm),
    "note": ("note_form", NoteForm),
}
# The field a refusal of a staff form is about; the others are about the whole form.
REFUSAL_FIELDS = {
    "extension_too_long": "months",
    "fee_invalid": "amount",
    "reason_needed": "reason",
    "answer_needed": "answer",
    "note_needed": "note",
    "how_told_needed": "note",
    "received_in_future": "received_on",
}


def _detail_page(
    request: HttpRequest,
    pk: int,
    *,
    sent: tuple[str, forms.Form] | None = None,
    told: tuple[int, RecipientToldForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The request's page, with a staff form sent back refused: `sent` is (its name on the page,
    the form), `told` (the task's id, its form). The whole form's reason heads the page: a form
    for an action the request no longer offers (it was closed meanwhile) is not shown."""
    from coursekeeper.privacy.selectors import request_detail as load

    detail = load(pk)
    if detail is None:
        raise PrivacyError("request_not_found")
    rights.record_view(request=detail["request"], acting_user=request.user)
    page_forms = {name: form_class() for name, form_class in STAFF_FORMS.values()}
    if sent is not None:
        page_forms[sent[0]] = sent[1]
    told_id, told_form = told if told is not None else (None, None)
    detail.update(
        {
            "now": timezone.now(),
            # Each open task to tell a recipient by hand gets its own form.
            "notice_rows": [
                (
                    notice,
                    (
                        told_form
                        if notice.pk == told_id
                        else RecipientToldForm(prefix=RecipientToldForm.prefix_for(notice.pk))
                    )
                    if notice.is_open
                    else None,
                )
                for notice in detail["notices"]
            ],
            **page_forms,
            "refused_form": told_form or (sent[1] if sent is not None else None),
        }
    )
    return render(request, "privacy/request_detail.html", detail, status=status)


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET"])
@refusals_as_pages
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _staff_action(action: str, pk: int, data: dict, *, acting_user, base_url: str) -> None:
    if action == "extend":
        rights.extend_request(
            request_id=pk,
            acting_user=acting_user,
            months=data["months"],
            reason=data["reason"],
            base_url=base_url,
        )
    elif action == "fee":
        rights.request_fee(
            request_id=pk,
            acting_user=acting_user,
            amount=data["amount"],
            currency=data["currency"],
            reason=data["reason"],
            base_url=base_url,
        )
    elif action == "refuse":
        rights.refuse_request(
            request_id=pk, acting_user=acting_user, reason=data["reason"], base_url=base_url
        )
    elif action == "answer":
        rights.answer_request(
            request_id=pk, acting_user=acting_user, answer=data["answer"], base_url=base_url
        )
    else:
        rights.add_note(request_id=pk, acting_user=acting_user, note=data["note"])


@requires(HANDLE_REQUESTS)
@require_POST
@refusals_as_pages
def request_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One staff action on a request; a refused one changes nothing and says why."""
    base_url = _base_url(request)
    if action == "urgent":
        rights.mark_urgent(
            request_id=pk, acting_user=request.user, urgent=request.POST.get("urgent") == "1"
        )
    elif action == "carry_out":
        rights.carry_out_request(request_id=pk, acting_user=request.user, base_url=base_url)
    elif action in STAFF_FORMS:
        name, form_class = STAFF_FORMS[action]
        form = form_class(request.POST)
        if not form.is_valid():
            return _detail_page(request, pk, sent=(name, form), status=400)
        try:
            _staff_action(
                action, pk, form.cleaned_data, acting_user=request.user, base_url=base_url
            )
        except PrivacyError as refusal:
            status = show_on_form(form, refusal, field=REFUSAL_FIELDS.get(refusal.code))
            return _detail_page(request, pk, sent=(name, form), status=status)
    else:
        raise Http404
    messages.success(request, _("Done."))
    return redirect("privacy:request_detail", pk)


@requires(HANDLE_REQUESTS)
@require_POST
@refusals_as_pages
def recipient_told(request: AuthenticatedHttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Staff told a recipient of the change by hand (Art. 19): record how, who and when."""
    form = RecipientToldForm(request.POST, prefix=RecipientToldForm.prefix_for(notice_pk))
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        recipient_notices.mark_recipient_told(
            request_id=pk, notice_id=notice_pk, acting_user=request.user, note=note
        )
    except PrivacyError as refusal:
        status = show_on_form(form, refusal, field=REFUSAL_FIELDS.get(refusal.code))
        return _detail_page(request, pk, told=(notice_pk, form), status=status)
    messages.success(request, _("Marked as told."))
    return redirect("privacy:request_detail", pk)
