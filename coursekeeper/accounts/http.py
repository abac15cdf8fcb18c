"""The type of a request that only a signed-in person can make."""

from __future__ import annotations

from django.http import HttpRequest

from coursekeeper.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past `login_required` (or a check that implies it): its user is a `User`.

    Only an annotation for the views behind such a check: Django still makes a plain
    `HttpRequest`, and nothing here checks anything.
    """

    user: User
