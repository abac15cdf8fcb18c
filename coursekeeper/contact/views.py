"""Pages of the contact app: the public contact form and the staff inbox. Thin: parse, call a
selector or service, render.

A refused staff form is rendered again with its errors and everything typed (`show_on_form`),
not redirected: a call's notes or an answer are never lost to a typo in the date. A refusal of
the page itself (no such contact, not your role) is the shared refusal page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.contact import selectors, services
from coursekeeper.contact.errors import ContactError
from coursekeeper.contact.forms import ContactForm, LogContactForm, NewContactForm, ReplyForm
from coursekeeper.privacy.access.roles import ANSWER_CONTACTS, requires
from coursekeeper.web.refusals import refusals_as_pages, show_on_form


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def contact_form(request: HttpRequest) -> HttpResponse:
    """The public contact form (R19); nothing is stored unless every field is valid."""
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.receive_message(
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    postal_address=data["postal_address"],
                    message=data["message"],
                    language=_language(),
                    submission_key=data["submission_key"] or None,
                )
            except ContactError as refusal:
                status = show_on_form(form, refusal)
                return render(request, "contact/contact_form.html", {"form": form}, status=status)
            return render(request, "contact/thanks.html")
        status = 400
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.full_name, "email": request.user.email}
        form = ContactForm(initial=initial)
        status = 200
    return render(request, "contact/contact_form.html", {"form": form}, status=status)


@requires(ANSWER_CONTACTS)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = selectors.inbox_page(request.GET.get("page"))
    services.record_inbox_view(acting_user=request.user, contacts=page.object_list)
    return render(request, "contact/inbox.html", {"page": page})


def _thread_page(
    request: HttpRequest,
    pk: int,
    *,
    log_form: LogContactForm | None = None,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    contact = services.open_contact(acting_user=request.user, contact_id=pk)
    reply_subject = _("Your message to %(school)s") % {"school": settings.SCHOOL_NAME}
    context = {
        "contact": contact,
        "entries": selectors.thread_entries(contact),
        "log_form": log_form or LogContactForm(),
        "reply_form": reply_form or ReplyForm(initial={"subject": reply_subject}),
        **selectors.thread_facts(contact),
    }
    return render(request, "contact/contact_detail.html", context, status=status)


@requires(ANSWER_CONTACTS)
@require_GET
@refusals_as_pages
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_page(request, pk)


@requires(ANSWER_CONTACTS)
@require_POST
@refusals_as_pages
def log_contact(request: HttpRequest, pk: int) -> HttpResponse:
    form = LogContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_contact(
                acting_user=request.user,
                contact_id=pk,
                channel=data["channel"],
                direction=data["direction"],
                at=data["at"],
                subject=data["subject"],
                text=data["text"],
                submission_key=data["submission_key"] or None,
            )
        except ContactError as refusal:
            return _thread_page(request, pk, log_form=form, status=show_on_form(form, refusal))
        messages.success(request, _("The contact is logged."))
        return redirect("contact:detail", pk)
    return _thread_page(request, pk, log_form=form, status=400)


@requires(ANSWER_CONTACTS)
@require_POST
@refusals_as_pages
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_by_email(
                acting_user=request.user,
                contact_id=pk,
                subject=data["subject"],
                text=data["text"],
                submission_key=data["submission_key"] or None,
            )
        except ContactError as refusal:
            return _thread_page(request, pk, reply_form=form, status=show_on_form(form, refusal))
        messages.success(request, _("The answer is on its way and kept in the thread."))
        return redirect("contact:detail", pk)
    return _thread_page(request, pk, reply_form=form, status=400)


@requires(ANSWER_CONTACTS)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def new_contact(request: HttpRequest) -> HttpResponse:
    """Log a call or an email from someone new; a known address joins its thread."""
    if request.method == "POST":
        form = NewContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.start_thread(
                    acting_user=request.user,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    postal_address=data["postal_address"],
                    language=data["language"],
                    channel=data["channel"],
                    direction=data["direction"],
                    at=data["at"],
                    subject=data["subject"],
                    text=data["text"],
                    submission_key=data["submission_key"] or None,
                )
            except ContactError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(request, _("The contact is logged."))
                return redirect("contact:detail", entry.contact_id)
        else:
            status = 400
    else:
        form = NewContactForm(initial={"language": _language()})
        status = 200
    return render(request, "contact/new_contact.html", {"form": form}, status=status)
