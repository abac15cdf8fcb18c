"""`{% if user|may_send_newsletters %}`: whether the header links to the staff newsletter pages."""

from django import template

from coursekeeper.newsletter import services

register = template.Library()


@register.filter
def may_send_newsletters(user) -> bool:
    return services.may_send_newsletters(user)
