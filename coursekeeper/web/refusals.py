"""One way to refuse: a domain error carrying its HTTP status and translated message.

Every app raises its own subclass of `Refusal` (`LearningError`, `CommerceError`, ...) with a code
from that app's `MESSAGES`; a service that refuses changes nothing. `refusals_as_pages` turns any
of them into the person's answer: a page in the site's layout with the message and the status,
or `{"error": message}` for a request that asked for JSON. Views catch a refusal themselves only
to show it beside a form field.

A message is a translated text, or `(status, text)` where the status is not the usual one. The
usual status follows the code: `not_allowed` is 403, a code ending in `_not_found` is 404, the
rest 400. Parameters fill the text's `%(name)s` placeholders when it is read, in the reader's
language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class Refusal(Exception):
    messages: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, code: str, **params: Any) -> None:
        if code not in self.messages:
            raise KeyError(f"{type(self).__name__} has no message {code!r}.")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        entry = self.messages[self.code]
        if isinstance(entry, tuple):
            return entry[0]
        if self.code == "not_allowed":
            return 403
        return 404 if self.code.endswith("_not_found") else 400

    @property
    def message(self) -> str:
        entry = self.messages[self.code]
        text = entry[1] if isinstance(entry, tuple) else entry
        # A lazy plural picks its form from the parameters, so format before making it text.
        return str(text % self.params) if self.params else str(text)


def wants_json(request: HttpRequest) -> bool:
    """Return whether the request is a script's JSON call, which a page would only confuse."""
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """Return the person's answer to `refusal`: a page, or JSON for a JSON request."""
    if wants_json(request):
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    return render(request, "web/refused.html", {"message": refusal.message}, status=refusal.status)


def refusals_as_pages(view):
    """Turn a `Refusal` the view raises into the person's answer (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refusal_response(request, refusal)

    return wrapper
