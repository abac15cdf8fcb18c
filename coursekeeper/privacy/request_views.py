"""Pages for rights: the person's own privacy page, the public request form, the staff queue."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

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
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.recipient_notices import services as recipient_notices
from coursekeeper.privacy.selectors import (
    my_privacy_overview,
    request_queue,
    what_erasure_keeps,
)

Kind = RightsRequest.Kind


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _refused(request: HttpRequest, error: PrivacyError, to: str, *args) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(to, *args)


# --- The person's own page ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_privacy(request: HttpRequest) -> HttpResponse:
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
def request_copy(request: HttpRequest) -> HttpResponse:
    """Start an export: everything (access) or the portable part only (portability)."""
    portable = request.POST.get("portable") == "1"
    key = request.POST.get("submission_key") or None
    try:
        filed = rights.file_request(
            kind=Kind.PORTABILITY if portable else Kind.ACCESS,
            channel=RightsRequest.Channel.ACCOUNT,
            user=request.user,
            base_url=_base_url(request),
            submission_key=key,
        )
        rights.start_export_for_request(request=filed, base_url=_base_url(request))
    except PrivacyError as error:
        return _refused(request, error, "privacy:my_privacy")
    messages.success(
        request, _("We are putting your copy together. We email you when it is ready.")
    )
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def request_correction(request: HttpRequest) -> HttpResponse:
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
def request_restriction(request: HttpRequest) -> HttpResponse:
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
def lift_restriction(request: HttpRequest) -> HttpResponse:
    rights.lift_restriction(user=request.user, acting_user=request.user)
    messages.success(request, _("The restriction is lifted."))
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def object_to_purpose(request: HttpRequest) -> HttpResponse:
    try:
        rights.object_to(
            user=request.user,
            purpose_code=request.POST.get("purpose", ""),
            base_url=_base_url(request),
            submission_key=request.POST.get("submission_key") or None,
        )
    except PrivacyError as error:
        return _refused(request, error, "privacy:my_privacy")
    messages.success(request, _("Your objection is recorded. That processing has stopped."))
    return redirect("privacy:my_privacy")


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    if rights.withdraw_consent(user=request.user, consent_id=consent_id):
        messages.success(request, _("Your consent is withdrawn."))
    else:
        messages.error(request, _("That consent was already withdrawn."))
    return redirect("privacy:my_privacy")


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request: HttpRequest) -> HttpResponse:
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
        {"form": form, "kept": what_erasure_keeps(Person.for_user(user))},
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
def confirm_request(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a link scanner opening the link confirms nothing."""
    if request.method == "GET":
        return render(request, "privacy/confirm_request.html")
    try:
        filed = rights.confirm_request(token=token, base_url=_base_url(request))
    except PrivacyError as error:
        return render(request, "privacy/confirm_request.html", {"error": error.message}, status=400)
    return render(request, "privacy/request_confirmed.html", {"filed": filed})


# --- Staff: the queue ---------------------------------------------------------------------------


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET"])
def request_queue_view(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    return render(
        request,
        "privacy/request_queue.html",
        {"rows": request_queue(show_all=show_all), "show_all": show_all, "now": timezone.now()},
    )


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET", "POST"])
def log_request(request: HttpRequest) -> HttpResponse:
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
            except PrivacyError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The request is logged and the person is told."))
                return redirect("privacy:request_detail", filed.pk)
        status = 400
    else:
        form = StaffLogRequestForm(initial={"received_on": timezone.localdate()})
        status = 200
    return render(request, "privacy/log_request.html", {"form": form}, status=status)


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from coursekeeper.privacy.selectors import request_detail as load

    detail = load(pk)
    if detail is None:
        raise Http404
    rights.record_view(request=detail["request"], acting_user=request.user)
    detail.update(
        {
            "now": timezone.now(),
            # Each open task to tell a recipient by hand gets its own form.
            "notice_rows": [
                (
                    notice,
                    RecipientToldForm(prefix=RecipientToldForm.prefix_for(notice.pk))
                    if notice.is_open
                    else None,
                )
                for notice in detail["notices"]
            ],
            "extend_form": ExtendForm(),
            "fee_form": FeeForm(),
            "reason_form": ReasonForm(),
            "answer_form": AnswerForm(),
            "note_form": NoteForm(),
        }
    )
    return render(request, "privacy/request_detail.html", detail)


STAFF_ACTIONS = {
    "extend": ExtendForm,
    "fee": FeeForm,
    "refuse": ReasonForm,
    "answer": AnswerForm,
    "note": NoteForm,
}


@requires(HANDLE_REQUESTS)
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One staff action on a request; a refused one changes nothing and says why."""
    base_url = _base_url(request)
    acting_user = request.user
    try:
        if action == "urgent":
            rights.mark_urgent(
                request_id=pk, acting_user=acting_user, urgent=request.POST.get("urgent") == "1"
            )
        elif action == "carry_out":
            rights.carry_out_request(request_id=pk, acting_user=acting_user, base_url=base_url)
        elif action in STAFF_ACTIONS:
            form = STAFF_ACTIONS[action](request.POST)
            if not form.is_valid():
                messages.error(request, _("Please fill in every field of that form."))
                return redirect("privacy:request_detail", pk)
            data = form.cleaned_data
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
        else:
            raise Http404
    except PrivacyError as error:
        return _refused(request, error, "privacy:request_detail", pk)
    messages.success(request, _("Done."))
    return redirect("privacy:request_detail", pk)


@requires(HANDLE_REQUESTS)
@require_POST
def recipient_told(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Staff told a recipient of the change by hand (Art. 19): record how, who and when."""
    form = RecipientToldForm(request.POST, prefix=RecipientToldForm.prefix_for(notice_pk))
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        recipient_notices.mark_recipient_told(
            request_id=pk, notice_id=notice_pk, acting_user=request.user, note=note
        )
    except PrivacyError as error:
        return _refused(request, error, "privacy:request_detail", pk)
    messages.success(request, _("Marked as told."))
    return redirect("privacy:request_detail", pk)
