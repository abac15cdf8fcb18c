from django.conf import settings
from django.http import HttpRequest

from coursekeeper.accounts.choices import LANGUAGE_CHOICES


def site(request: HttpRequest) -> dict:
    """Values every page needs: the school's name and the languages to switch between."""
    from coursekeeper.commerce.invoices import may_see_invoices
    from coursekeeper.commerce.subscriptions import is_shop_staff
    from coursekeeper.learning.editor import may_teach
    from coursekeeper.privacy.services import may_edit_provider_settings

    user = getattr(request, "user", None)
    return {
        "SCHOOL_NAME": settings.SCHOOL_NAME,
        "LANGUAGE_CHOICES": LANGUAGE_CHOICES,
        "CAN_EDIT_PROVIDER": may_edit_provider_settings(request.user)
        if hasattr(request, "user")
        else False,
        "CAN_TEACH": may_teach(request.user) if hasattr(request, "user") else False,
        "CAN_SELL": is_shop_staff(user),
        "CAN_SEE_INVOICES": may_see_invoices(user),
    }
