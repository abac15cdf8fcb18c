"""What the device's cookie choice changes in a response's headers."""

from __future__ import annotations

from django.utils.cache import patch_vary_headers

from coursekeeper.cookies.sources import page_sources
from coursekeeper.web.headers import widened_directives


class CookieChoiceMiddleware:
    """Keep caches and the Content-Security-Policy in step with the cookie choice.

    - A page that read the device's choice (the banner, a gated script or embed) differs by
      the Cookie header, so it says so (`Vary: Cookie`) and no shared cache serves one
      device's page, banner or player to another.
    - A page that embedded a video player or a marketing tag with consent may load from
      exactly that party's origins (`sources.allow_sources`); every other page keeps the strict
      policy. Must sit below django-csp's middleware, which builds the header from
      `_csp_update` on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(request, "_cookie_choice"):
            patch_vary_headers(response, ("Cookie",))
        sources = page_sources(request)
        if sources:
            update = dict(getattr(response, "_csp_update", None) or {})
            for directive, values in widened_directives(sources).items():
                update[directive] = list(dict.fromkeys([*update.get(directive, ()), *values]))
            response._csp_update = update
        return response
