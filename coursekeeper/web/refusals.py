"""One way to refuse: a domain error carrying its HTTP status and translated message.

Every app raises its own subclass of `Refusal` (`LearningError`, `CommerceError`, ...) with a code
from that app's `MESSAGES`; a service that refuses changes nothing. `refusals_as_pages` turns any
of them into the person's answer: a page in the site's layout with the message and the status,
or `{"error": message}` for a request that asked for JSON. A view catches a refusal itself only
to show it on the form the person sent, with `show_on_form`, so nothing they typed is lost.

A message is a translated text, or `(status, text)` where the status is not the usual one. The
usual status follows the code: `not_allowed` is 403, a code ending in `_not_found` is 404, the
rest 400. Parameters fill the text's `%(name)s` placeholders when it is read, in the reader's
language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

REFUSED_PAGE = "web/refused.html"


class Refusal(Exception):
    messages: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, code: str, *, field_name: str | None = None, **params: Any) -> None:
        """`field_name` names the form field the refusal is about, where the service knows it
        (None: the whole form)."""
        if code not in self.messages:
            raise KeyError(f"{type(self).__name__} has no message {code!r}.")
        super().__init__(code)
        self.code = code
        self.field_name = field_name
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
    def ends_the_page(self) -> bool:
        """Whether the refusal leaves nothing to show: the person may not be here, or what they
        asked about is not there. Such a refusal is a page, never a note beside a form field."""
        return self.code == "not_allowed" or self.code.endswith("_not_found")

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


def refusal_response(
    request: HttpRequest, refusal: Refusal, *, template: str = REFUSED_PAGE
) -> HttpResponse:
    """Return the person's answer to `refusal`: the page `template`, or JSON for a JSON request.

    The page links back to the page of this site the person came from, if the browser said.
    """
    if wants_json(request):
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""
    context = {"message": refusal.message, "back": back}
    return render(request, template, context, status=refusal.status)


def refusals_as_pages(view=None, *, template: str = REFUSED_PAGE):
    """Turn a `Refusal` the view raises into the person's answer (see the module docstring).

    Use it bare (`@refusals_as_pages`) for the shared "Not possible" page, or with the
    `template` of a page in the view's own flow that shows `message` where its content would
    be, and offers the way on (an expired link's page links to asking for a new one).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Refusal as refusal:
                return refusal_response(request, refusal, template=template)

        return wrapper

    return decorate(view) if view is not None else decorate


def show_on_form(form: BaseForm, refusal: Refusal, *, field: str | None = None) -> int:
    """Show `refusal` on the `form` the person sent and return the status to render it with.

    The message goes beside `field`, else the field the refusal names, else above the whole
    form. A refusal that ends the page (`Refusal.ends_the_page`) is raised again, for
    `refusals_as_pages` on the view to answer.
    """
    if refusal.ends_the_page:
        raise refusal
    name = field or refusal.field_name
    form.add_error(name if name in form.fields else None, refusal.message)
    return refusal.status
