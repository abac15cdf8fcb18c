"""The banner, the consent question for templates, durations, click-to-load video embeds and the
owner's marketing tags."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coursekeeper.cookies.consent import accepted_categories, needs_choice, read_choice
from coursekeeper.cookies.consent import cookies_allowed as _cookies_allowed
from coursekeeper.cookies.models import CookieCategory
from coursekeeper.cookies.sources import allow_sources
from coursekeeper.cookies.tags import tags_for
from coursekeeper.cookies.video import Video, allow_frame_source, parse_video_url

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
def video_embed(context, video: Video | str, title: str) -> dict:
    """`{% video_embed video title %}`: a YouTube or Vimeo player, only after consent.

    `video` is a lesson's `Video` or an address. Without consent to the player's category:
    a placeholder that says what would load and from whom, with a plain link to the video, a
    link to the cookie settings and a button that records the consent and comes back here;
    nothing of the provider's is loaded. With it: the player, and this response's
    Content-Security-Policy allows that one origin to be framed.
    """
    request = getattr(context, "request", None)
    url = video if isinstance(video, str) else video.watch_url
    player = parse_video_url(video) if isinstance(video, str) else video
    allowed = player is not None and _cookies_allowed(request, player.category)
    if player is not None and allowed and request is not None:
        allow_frame_source(request, player.frame_origin)
    back_here = f"{request.get_full_path()}#{player.anchor}" if request and player else "/"
    return {
        "video": player,
        "url": url,
        "title": title,
        "allowed": allowed,
        "category": player.category if player else "",
        "category_label": dict(CookieCategory.choices).get(player.category) if player else "",
        "next": back_here,
        "settings_url": f"{reverse('cookies:settings')}?{urlencode({'next': back_here})}",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("cookies/marketing_tags.html", takes_context=True)
def marketing_tags(context) -> dict:
    """`{% marketing_tags %}`: the owner's configured tags, each only after its consent.

    A tag runs only on the pages `cookies.tags.TAGGED_ROUTES` lists, and only for a device
    whose current choice accepts its category; this response's Content-Security-Policy then
    allows exactly the origins of the tags it emits. Nothing is emitted, and no origin
    allowed, otherwise.
    """
    request = getattr(context, "request", None)
    tags = tags_for(request, accepted_categories(request) if request is not None else frozenset())
    for tag in tags:
        if request is not None:  # no request, no tags (tags_for answers none)
            allow_sources(request, tag.kind.sources)
    return {"tags": tags, "images": [tag.noscript_url for tag in tags if tag.noscript_url]}
