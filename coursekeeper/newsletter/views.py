"""Pages of the newsletter: sign-up, confirmation, unsubscribe (public), and the staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coursekeeper.newsletter import dispatch, selectors, services
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.forms import DiscontinueForm, NewsletterForm, SendForm, SignupForm
from coursekeeper.newsletter.models import LANGUAGES, Newsletter
from coursekeeper.privacy.access.roles import SEND_NEWSLETTERS, requires
from coursekeeper.web.refusals import refusals_as_pages, show_on_form


def _ui_language() -> str:
    language = (translation.get_language() or "en")[:2]
    return language if language in LANGUAGES else "en"


# --- Public pages -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The newsletter's own sign-up: the same answer for every address, known or not."""
    if services.is_discontinued():
        status = 400 if request.method == "POST" else 200
        return render(request, "newsletter/signup.html", {"discontinued": True}, status=status)
    language = _ui_language()
    wording = services.wording_text(language)
    if request.method == "POST":
        form = SignupForm(request.POST, wording=wording, language=language)
        if form.is_valid():
            services.sign_up(
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                country=form.cleaned_data["country"],
                base_url=request.build_absolute_uri("/"),
            )
            return render(request, "newsletter/signup_sent.html")
        status = 400
    else:
        form = SignupForm(wording=wording, language=language)
        status = 200
    return render(request, "newsletter/signup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@refusals_as_pages(template="newsletter/confirm.html")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the wording and a button, POST subscribes: a link scanner confirms nothing."""
    if request.method == "POST":
        services.confirm_signup(token=token)
        return render(request, "newsletter/confirmed.html")
    pending = services.pending_signup(token)
    if pending is not None and services.is_discontinued():
        raise NewsletterError("discontinued")
    if pending is None:
        raise NewsletterError("link_invalid")
    context = {
        "wording": services.wording_text(pending.language, pending.wording_version),
        "wording_language": pending.language,
    }
    return render(request, "newsletter/confirm.html", context)


# Mail providers post the RFC 8058 one-click request ("List-Unsubscribe=One-Click") with no
# CSRF token and no session; the signed token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@refusals_as_pages(template="newsletter/unsubscribe.html")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for one click, POST unsubscribes; no sign-in, and a second POST changes nothing."""
    target = services.unsubscribe_target(token)
    context = {"customer": target.customer}
    if request.method == "POST":
        changed = services.unsubscribe(token=token)
        return render(request, "newsletter/unsubscribed.html", {**context, "already": not changed})
    if not services.still_receives(target):
        return render(request, "newsletter/unsubscribed.html", {**context, "already": True})
    return render(request, "newsletter/unsubscribe.html", context)


# --- Staff --------------------------------------------------------------------------------------


def _newsletter(pk: int) -> Newsletter:
    newsletter = selectors.newsletter_by_id(pk)
    if newsletter is None:
        raise NewsletterError("newsletter_not_found")
    return newsletter


@requires(SEND_NEWSLETTERS)
@require_http_methods(["GET"])
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "newsletter/staff_list.html",
        {
            "newsletters": selectors.newsletters_for_staff(),
            "audience": selectors.audience(),
            "discontinued": selectors.discontinued(),
        },
    )


@requires(SEND_NEWSLETTERS)
@require_http_methods(["GET", "POST"])
def staff_discontinue(request: HttpRequest) -> HttpResponse:
    """Discontinue the newsletter, once staff confirm what it does (R29)."""
    if selectors.discontinued() is not None:
        return redirect("newsletter:staff_list")
    if request.method == "POST":
        form = DiscontinueForm(request.POST)
        if form.is_valid():
            services.discontinue_newsletter(acting_user=request.user)
            messages.success(
                request,
                _(
                    "The newsletter is discontinued. Every subscription has ended; the "
                    "sign-ups awaiting confirmation are deleted by the next retention sweep."
                ),
            )
            return redirect("newsletter:staff_list")
        status = 400
    else:
        form = DiscontinueForm()
        status = 200
    return render(
        request,
        "newsletter/staff_discontinue.html",
        {"form": form, "audience": selectors.audience()},
        status=status,
    )


@requires(SEND_NEWSLETTERS)
@require_http_methods(["POST"])
def staff_restart(request: HttpRequest) -> HttpResponse:
    """Open the sign-up again after a discontinuation; the former subscribers subscribe anew."""
    if services.restart_newsletter(acting_user=request.user):
        messages.success(
            request,
            _("The newsletter is open for sign-ups again. Nobody gets it until they subscribe."),
        )
    return redirect("newsletter:staff_list")


@requires(SEND_NEWSLETTERS)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a new newsletter, or change a draft."""
    newsletter = _newsletter(pk) if pk is not None else None
    if newsletter is not None and newsletter.status != Newsletter.Status.DRAFT:
        raise NewsletterError("not_a_draft")
    if request.method == "POST":
        form = NewsletterForm(request.POST, instance=newsletter)
        if form.is_valid():
            try:
                saved = services.save_newsletter(
                    acting_user=request.user,
                    texts=form.texts(),
                    newsletter_id=newsletter.pk if newsletter else None,
                )
            except NewsletterError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(request, _("The newsletter is saved. Check the preview."))
                return redirect("newsletter:staff_detail", saved.pk)
        else:
            status = 400
    else:
        form = NewsletterForm(instance=newsletter)
        status = 200
    return render(
        request,
        "newsletter/staff_form.html",
        {"form": form, "newsletter": newsletter, "languages": LANGUAGES},
        status=status,
    )


def _previews(newsletter: Newsletter) -> list[dict]:
    """Return each language's email as a subscriber gets it, and the customers' footer."""
    sample = "https://…/newsletter/unsubscribe/…/"
    previews = []
    for code in newsletter.languages():
        subject, text = dispatch.render_newsletter_email(
            newsletter, language=code, customer=False, unsubscribe_link=sample
        )
        customer_footer = dispatch.newsletter_footer(
            language=code, customer=True, unsubscribe_link=sample
        )
        previews.append(
            {"language": code, "subject": subject, "text": text, "customer_footer": customer_footer}
        )
    return previews


@requires(SEND_NEWSLETTERS)
@require_http_methods(["GET"])
@refusals_as_pages
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview of a newsletter and, once it is being sent, its progress."""
    newsletter = _newsletter(pk)
    progress = selectors.progress(newsletter)
    missing = [code for code in LANGUAGES if code not in newsletter.languages()]
    return render(
        request,
        "newsletter/staff_detail.html",
        {
            "newsletter": newsletter,
            "previews": _previews(newsletter),
            "progress": progress,
            "missing_languages": missing,
            "fallback": newsletter.version_for(missing[0]) if missing else None,
            "refresh": progress is not None and not progress.finished_queueing,
        },
    )


@requires(SEND_NEWSLETTERS)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def staff_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then send: to subscribers, and to customers only where the law allows it."""
    newsletter = _newsletter(pk)
    if newsletter.status != Newsletter.Status.DRAFT:
        return redirect("newsletter:staff_detail", newsletter.pk)
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            try:
                dispatch.start_sending(
                    acting_user=request.user, newsletter_id=newsletter.pk, **form.cleaned_data
                )
            except NewsletterError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(request, _("Sending has started."))
                return redirect("newsletter:staff_detail", newsletter.pk)
        else:
            status = 400
    else:
        form = SendForm()
        status = 200
    return render(
        request,
        "newsletter/staff_send.html",
        {"newsletter": newsletter, "form": form, "audience": selectors.audience()},
        status=status,
    )
