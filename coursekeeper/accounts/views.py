"""The person's own pages (profile and sessions), the public unlock pages of a lockout, and
the answer of the paused code step."""

from __future__ import annotations

from allauth.mfa.base.views import AuthenticateView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coursekeeper.accounts import selectors, services, unlock
from coursekeeper.accounts.errors import AccountError
from coursekeeper.accounts.forms import ProfileForm, UnlockRequestForm
from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.accounts.models import User
from coursekeeper.security.client_address import client_ip
from coursekeeper.web.language import remember_language_cookie
from coursekeeper.web.refusals import refusals_as_pages


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and edit every profile field (R3); a changed address is verified first (R27)."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
            services.update_profile(user=user, acting_user=user, changes=changes)
            messages.success(request, _("Your profile is saved."))
            return remember_language_cookie(redirect("accounts:profile"), user.language)
        status = 400
    else:
        form = ProfileForm(instance=user)
        status = 200
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "changes": selectors.recent_profile_changes(user=user)},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List every place the person is signed in, so they can end any of them."""
    active = selectors.active_sessions(
        user=request.user, current_session_key=request.session.session_key
    )
    return render(request, "accounts/sessions.html", {"sessions": active})


@login_required
@require_POST
@refusals_as_pages
def end_session(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    services.end_session(user=request.user, session_id=session_id)
    messages.success(request, _("The session has ended. That device is signed out."))
    return redirect("accounts:sessions")


class SecondFactorAuthenticateView(AuthenticateView):
    """allauth's code step of signing in, answering 429 while codes are paused (R2).

    The pause itself is decided in the form (coursekeeper.accounts.mfa.limits); this only gives
    the refusal its status, so scripts see it as the password lockout's 429.
    """

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "is_paused", False):
            response.status_code = 429
        return response


second_factor_authenticate = SecondFactorAuthenticateView.as_view()


@require_http_methods(["GET", "POST"])
def unlock_request(request: HttpRequest) -> HttpResponse:
    """Ask for an unlock link: the same answer for every address, known or not (R2)."""
    if request.method == "POST":
        form = UnlockRequestForm(request.POST)
        if form.is_valid():
            unlock.request_unlock_link(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                base_url=request.build_absolute_uri("/"),
            )
            return render(request, "accounts/unlock_sent.html")
        status = 400
    else:
        form = UnlockRequestForm()
        status = 200
    return render(request, "accounts/unlock_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@refusals_as_pages(template="accounts/unlock.html")
def unlock_account(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST lifts the lockouts: a mail client's link scanner uses nothing."""
    if request.method == "POST":
        unlock.unlock_account(
            token=token,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return render(request, "accounts/unlock.html", {"unlocked": True})
    if unlock.usable_link(token) is None:
        raise AccountError("unlock_link_invalid")
    return render(request, "accounts/unlock.html")
