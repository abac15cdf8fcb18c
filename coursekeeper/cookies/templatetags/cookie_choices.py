"""The banner, the consent question for templates, durations and click-to-load video embeds."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coursekeeper.cookies.consent import cookies_allowed as _cookies_allowed
from coursekeeper.cookies.consent import needs_choice, read_choice
from coursekeeper.cookies.models import CookieCategory
from coursekeeper.cookies.video import allow_frame_source, parse_video_url

register = template.Library()


@register.inclusion_tag("cookies/banner.html", takes_context=True)
def cookie_banner(context) -> dict:
    """Ask for a choice when the device has none for the current registry (not on the page
    where the choice is made, which asks already)."""
    request = getattr(context, "request", None)
    show = (
        request is not None
        and not context.get("on_cookie_settings", False)
        and needs_choice(request)
    )
    return {
        "show": show,
        "registry_changed": show and read_choice(request) is not None,
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def cookies_allowed(context, category: str) -> bool:
    """`{% cookies_allowed "statistics" as allowed %}`: may this category be used here?"""
    return _cookies_allowed(getattr(context, "request", None), category)


@register.filter
def cookie_duration(seconds: int | None) -> str:
    """Say how long a cookie or key is kept, in words."""
    if seconds is None:
        return _("Until the browser is closed")
    day = 60 * 60 * 24
    if seconds >= 365 * day and seconds % (365 * day) == 0:
        years = seconds // (365 * day)
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if seconds >= day:
        days = round(seconds / day)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds >= 60 * 60:
        hours = round(seconds / 3600)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@register.inclusion_tag("cookies/video_embed.html", takes_context=True)
def video_embed(context, url: str, title: str) -> dict:
    """`{% video_embed url title %}`: a YouTube or Vimeo player, only after marketing consent.

    Without consent: a placeholder with a plain link to the video and a button that records
    the consent and comes back here; nothing of the provider's is loaded. With it: the player,
    and this response's Content-Security-Policy allows that one origin to be framed.
    """
    request = getattr(context, "request", None)
    video = parse_video_url(url)
    allowed = video is not None and _cookies_allowed(request, CookieCategory.MARKETING)
    if video is not None and allowed and request is not None:
        allow_frame_source(request, video.frame_origin)
    return {
        "video": video,
        "url": url,
        "title": title,
        "allowed": allowed,
        "category": CookieCategory.MARKETING,
        "next": f"{request.get_full_path()}#{video.anchor}" if request and video else "/",
        "csrf_token": context.get("csrf_token"),
    }
