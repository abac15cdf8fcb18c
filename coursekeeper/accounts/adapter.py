"""allauth's hooks: how a new person is saved, what happens at sign-in, how mail is sent."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from coursekeeper.accounts import services
from coursekeeper.accounts.models import User, normalize_email

logger = logging.getLogger(__name__)

DEFAULT_TIME_ZONE_FOR_LANGUAGE = {"da": "Europe/Copenhagen", "de": "Europe/Berlin"}


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        return normalize_email(super().clean_email(email))

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        services.complete_registration(
            user=user,
            full_name=form.cleaned_data["full_name"],
            adult_confirmed=form.cleaned_data["adult_confirmed"],
            language=language[:2],
            time_zone=DEFAULT_TIME_ZONE_FOR_LANGUAGE.get(language[:2], "Europe/Copenhagen"),
        )
        if commit:
            user.save()
        logger.info("account created person=%s", user.pk)
        return user

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        is_new_place = services.record_sign_in(
            user=user,
            ip=self.get_client_ip(request),
            user_agent=self.get_http_user_agent(request),
        )
        if is_new_place:
            browser, operating_system = services.describe_device(self.get_http_user_agent(request))
            self.send_notification_mail(
                "accounts/email/new_sign_in",
                user,
                {"browser": browser, "operating_system": operating_system},
            )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send in the recipient's own language when they have an account."""
        recipient = User.objects.filter(email=normalize_email(email)).only("language").first()
        language = recipient.language if recipient else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
