"""Password rules beyond Django's own: long passphrases welcome, absurd lengths refused."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length`, which only serve to make hashing expensive.

    At least 64 characters must be allowed (OWASP ASVS); we allow 128.
    """

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It may have at most %(max_length)d character.",
                    "This password is too long. It may have at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password may be up to %(max_length)d characters long.") % {
            "max_length": self.max_length
        }
