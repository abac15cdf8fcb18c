"""Staff pages of the privacy app."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy import services
from coursekeeper.privacy.access.roles import EDIT_PROVIDER, requires
from coursekeeper.privacy.forms import ProviderSettingsForm
from coursekeeper.privacy.models import ProviderSettings


@requires(EDIT_PROVIDER)
@require_http_methods(["GET", "POST"])
def provider_settings(request: HttpRequest) -> HttpResponse:
    """Let the owner or privacy officer keep the provider's published details up to date."""
    current = ProviderSettings.load()
    if request.method == "POST":
        form = ProviderSettingsForm(request.POST, instance=ProviderSettings.load())
        if form.is_valid():
            services.update_provider_settings(
                acting_user=request.user,
                changes={name: form.cleaned_data[name] for name in form.fields},
            )
            messages.success(request, _("The provider's details are saved."))
            return redirect("privacy:provider_settings")
        status = 400
    else:
        form = ProviderSettingsForm(instance=current)
        status = 200
    return render(
        request,
        "privacy/provider_settings.html",
        {"form": form, "missing": current.missing_for_publishing()},
        status=status,
    )
