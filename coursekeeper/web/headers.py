"""Response headers that keep pages to this site and personal pages out of every cache.

Design. One rule per header, applied to every response on its way out, so a page added later
is covered without anyone remembering to decorate it:

- `Permissions-Policy` denies every powerful browser feature the platform does not use. The
  lesson video may go full screen and picture-in-picture (`self`); a page that embeds a
  consented YouTube or Vimeo player grants those two to exactly that player's origin too, as
  its Content-Security-Policy lets exactly that origin be framed (`cookies.video`).
- `Content-Security-Policy` (django-csp, `settings.CONTENT_SECURITY_POLICY`) allows this site
  only. A response that loads a consented third party -- a video player, a marketing or
  statistics tag (`cookies.sources`) -- is widened by exactly that party's origins, for the
  directives it needs (`widened_directives`); nothing else on any page is.
- `Cross-Origin-Resource-Policy: same-origin`: no other site can load our pages, files or
  media into its own (images, scripts, the protected videos and exports).
- `Cache-Control: private, no-store` on every response that is, or may be, about a person:
  the visitor carries a session (signed in, or a guest mid-checkout), is signed in, or the
  response sets or deletes a cookie. Pages for anonymous visitors without a session (home,
  catalogue, policies) stay cacheable. A view that already said `no-store`, or that declared
  its response the same for everyone with `public`, is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from csp.constants import SELF
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from coursekeeper.cookies.video import framed_origins

# Features no page of ours uses; each is denied to the page and to anything it frames.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
# Features the lesson video player uses (the browser's own controls), and embedded players too.
VIDEO_FEATURES = ("fullscreen", "picture-in-picture")


def permissions_policy(embedded_origins: Iterable[str] = ()) -> str:
    """Return the Permissions-Policy header value for a page embedding `embedded_origins`."""
    allowed = " ".join(["self", *(f'"{origin}"' for origin in sorted(embedded_origins))])
    directives = [f"{feature}=()" for feature in DENIED_FEATURES]
    directives += [f"{feature}=({allowed})" for feature in VIDEO_FEATURES]
    return ", ".join(directives)


def widened_directives(sources: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Return the CSP update (django-csp's `_csp_update`) that adds `sources` to the policy.

    django-csp appends an update to the directive the settings give; a directive they leave
    out (`script-src`, `connect-src`, `frame-src`) falls back to `default-src` in the browser,
    and an update alone would replace that fallback with the third party's origins, shutting
    out the site's own scripts. So such a directive starts from what `default-src` allows.
    """
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    fallback = list(directives.get("default-src", [SELF]))
    update = {}
    for directive, origins in sources.items():
        added = sorted(set(origins))
        if not added:
            continue
        update[directive] = added if directive in directives else [*fallback, *added]
    return update


def is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Return whether `response` may differ from one person to another and must not be stored."""
    if response.cookies:
        return True
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _cache_control_directives(response: HttpResponse) -> set[str]:
    header = response.headers.get("Cache-Control", "")
    return {part.strip().split("=", 1)[0].lower() for part in header.split(",") if part.strip()}


class SecurityHeadersMiddleware:
    """Set Permissions-Policy, Cross-Origin-Resource-Policy and, for personal responses,
    `Cache-Control: private, no-store`. Sits near the top, so it sees every cookie set below."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", permissions_policy(framed_origins(request))
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        own = _cache_control_directives(response)
        if "no-store" not in own and "public" not in own and is_personal(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response
