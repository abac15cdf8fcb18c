"""What the device's cookie choice changes in a response's headers."""

from __future__ import annotations

from django.utils.cache import patch_vary_headers


class CookieChoiceMiddleware:
    """Keep caches and the Content-Security-Policy in step with the cookie choice.

    - A page that read the device's choice (the banner, a gated script or embed) differs by
      the Cookie header, so it says so (`Vary: Cookie`) and no shared cache serves one
      device's page, banner or player to another.
    - A page that embedded a video player with consent may frame exactly that player's origin
      (`video.allow_frame_source`); every other page keeps the strict policy, where
      `frame-src` falls back to 'self'. Must sit below django-csp's middleware, which builds
      the header from `_csp_update` on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(request, "_cookie_choice"):
            patch_vary_headers(response, ("Cookie",))
        sources = getattr(request, "_embed_frame_sources", None)
        if sources:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["frame-src"] = sorted({*update.get("frame-src", ()), *sources})
            response._csp_update = update
        return response
