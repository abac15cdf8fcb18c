from django.conf import settings
from django.http import HttpRequest

from coursekeeper.accounts.choices import LANGUAGE_CHOICES


def site(request: HttpRequest) -> dict:
    """Values every page needs: the school's name and the languages to switch between.

    What a person may do is read in templates from `perms.access.<capability>` (the access
    layer, `privacy.access.roles`), not from flags set here.
    """
    return {"SCHOOL_NAME": settings.SCHOOL_NAME, "LANGUAGE_CHOICES": LANGUAGE_CHOICES}
