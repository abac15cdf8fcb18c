"""allauth's hooks: how a new person is saved, what happens at sign-in, how mail is sent."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import strip_tags

from coursekeeper.accounts import services
from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.messaging.services import queue_email
from coursekeeper.security.client_address import client_ip
from coursekeeper.security.models import SecurityEvent
from coursekeeper.security.services import pseudonym, record_security_event

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
        logger.info("account created person=%s", pseudonym(user.pk))
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        """The platform's one rule for the visitor's address (trusted proxies), for allauth too."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        ip, user_agent = self.get_client_ip(request), self.get_http_user_agent(request)
        record_security_event(
            kind=SecurityEvent.Kind.SIGNED_IN, user=user, ip=ip, user_agent=user_agent
        )
        is_new_place = services.record_sign_in(user=user, ip=ip, user_agent=user_agent)
        if is_new_place:
            browser, operating_system = services.describe_device(self.get_http_user_agent(request))
            self.send_notification_mail(
                "accounts/email/new_sign_in",
                user,
                {"browser": browser, "operating_system": operating_system},
            )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the email as allauth does, in the recipient's language, into the outbox.

        The context is the one allauth's own send_mail builds; instead of sending, the rendered
        message is queued, so it is delivered (and retried) by the outbox after commit.
        """
        recipient = User.objects.filter(email=normalize_email(email)).only("language").first()
        language = recipient.language if recipient else (translation.get_language() or "en")
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        with translation.override(language):
            msg = self.render_mail(template_prefix, email, ctx)
        html_alternatives = [
            content
            for content, mimetype in getattr(msg, "alternatives", [])
            if mimetype == "text/html"
        ]
        if msg.content_subtype == "html":
            body_text, body_html = strip_tags(msg.body), msg.body
        else:
            body_text, body_html = msg.body, (html_alternatives[0] if html_alternatives else None)
        with transaction.atomic():
            queue_email(
                to=email,
                subject=msg.subject,
                body_text=body_text,
                body_html=body_html,
                language=language,
                template=template_prefix,
                recipient=recipient,
                headers=msg.extra_headers or None,
            )
