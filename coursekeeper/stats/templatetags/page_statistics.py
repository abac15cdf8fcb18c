"""`{% statistics_script %}`: the screen-size script, only where statistics were accepted."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token

from coursekeeper.cookies.consent import cookies_allowed
from coursekeeper.cookies.models import CookieCategory

register = template.Library()


@register.inclusion_tag("stats/script.html", takes_context=True)
def statistics_script(context) -> dict:
    request = getattr(context, "request", None)
    allowed = request is not None and cookies_allowed(request, CookieCategory.STATISTICS)
    return {
        "allowed": allowed,
        "csrf_token": get_token(request) if request is not None and allowed else "",
    }
