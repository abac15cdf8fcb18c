"""`{% if user|may_use_contact_inbox %}`: whether the header links to the contact inbox."""

from django import template

from coursekeeper.contact.services import may_use_inbox

register = template.Library()


@register.filter
def may_use_contact_inbox(user) -> bool:
    return may_use_inbox(user)
