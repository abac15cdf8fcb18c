"""`{% privacy_notice %}`: what a form collects, why, on which basis, for how long (R44).

Rendered from the declarations, so the notice beside a form says what the code really does:

    {% load privacy_notices %}
    {% privacy_notice "accounts.User:full_name,email,password" "axes.AccessAttempt:username" %}
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.apps import apps

from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.texts import retention_text

register = template.Library()


@dataclass
class NoticeLine:
    fields: list[str]
    categories: list[str]
    purposes: list[tuple[str, str]]
    retention: str


def notice_lines(*specs: str) -> list[NoticeLine]:
    lines = []
    for spec in specs:
        label, _sep, names = spec.partition(":")
        model = apps.get_model(label)
        declaration = registry.get(model)
        if declaration is None:
            raise template.TemplateSyntaxError(f"{label} is not declared.")
        wanted = [n for n in names.split(",") if n] or [
            n for n, c in declaration.fields.items() if isinstance(c, Category)
        ]
        categories = []
        for name in wanted:
            category = declaration.fields[name]
            if isinstance(category, Category) and category.label not in categories:
                categories.append(str(category.label))
        lines.append(
            NoticeLine(
                fields=[str(model._meta.get_field(n).verbose_name) for n in wanted],
                categories=categories,
                purposes=[(str(p.description), str(p.basis.label)) for p in declaration.purposes],
                retention=retention_text(declaration.retention),
            )
        )
    return lines


@register.inclusion_tag("privacy/notice.html")
def privacy_notice(*specs: str) -> dict:
    return {"lines": notice_lines(*specs)}


# The notices of allauth's pages, whose templates we do not write ourselves: url name -> specs.
PAGE_NOTICES = {
    "account_signup": ("accounts.User:full_name,email,password,adult_confirmed_at",),
    "account_login": ("security.SecurityEvent:ip,user_agent", "axes.AccessAttempt:username"),
    "account_reset_password": ("account.EmailAddress:email",),
    "account_email": ("account.EmailAddress:email",),
    "account_change_password": ("accounts.User:password",),
    # A wrong password here counts as a failed sign-in, as on the sign-in page.
    "account_reauthenticate": (
        "security.SecurityEvent:ip,user_agent",
        "axes.AccessAttempt:username",
    ),
}


@register.inclusion_tag("privacy/notice.html", takes_context=True)
def privacy_notice_for_page(context) -> dict:
    """Render the notice for the current allauth page, if it collects personal data."""
    match = getattr(context.get("request"), "resolver_match", None)
    specs = PAGE_NOTICES.get(match.url_name if match else "", ())
    return {"lines": notice_lines(*specs) if specs else []}
