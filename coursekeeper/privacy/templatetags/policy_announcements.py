"""`{% pending_policy_changes %}`: the notice of a policy change not in effect yet (R21).

The base template renders it on every page; it asks the database only for a signed-in person
(see `privacy.policy_announcements`), and a page may leave it out by emptying the block around
it (the policy page, which announces the change itself).
"""

from __future__ import annotations

from django import template

from coursekeeper.privacy.policy_announcements import pending_changes

register = template.Library()


@register.inclusion_tag("privacy/policy/_pending_changes.html", takes_context=True)
def pending_policy_changes(context) -> dict:
    """Announce to the signed-in person each material change they have not hidden."""
    # The request itself, not a template variable of that name (a rights request's page has one).
    request = getattr(context, "request", None)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "changes": pending_changes(user=user) if signed_in else [],
        "hideable": signed_in,
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }
