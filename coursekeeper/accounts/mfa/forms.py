"""allauth's code forms (sign-in and re-confirmation), asking the limits before checking a code.

allauth checks a code against the person's authenticator app and recovery codes in the form's
`clean_code`; these forms run that check through `limits.attempt_second_factor`, which refuses
it while the account or the address is paused and records every refusal (R2). allauth's own limit
on these forms reuses its `login_failed` limit, which is off here (django-axes limits passwords).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.core.exceptions import ValidationError

from coursekeeper.accounts.errors import AccountError
from coursekeeper.accounts.mfa.limits import attempt_second_factor

if TYPE_CHECKING:
    # To mypy the mixin is the allauth code form it is mixed into (allauth ships no types).
    from allauth.mfa.base.forms import AuthenticateForm as _CodeForm
else:
    _CodeForm = object


class LimitedCodeMixin(_CodeForm):
    """Check the code only through the limits; keep allauth's check, signals and bookkeeping."""

    PAUSED = "second_factor_paused"

    def clean_code(self) -> str:
        request = allauth_context.request
        adapter = get_account_adapter()
        try:
            attempt_second_factor(
                user=self.user,
                ip=adapter.get_client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                check_code=self._allauth_accepts_code,
            )
        except AccountError as error:
            raise ValidationError(error.message, code=error.code) from None
        return self.cleaned_data["code"]

    def _allauth_accepts_code(self) -> bool:
        try:
            super().clean_code()
        except ValidationError:
            return False
        return True

    @property
    def is_paused(self) -> bool:
        return self.has_error("code", self.PAUSED)


class LimitedAuthenticateForm(LimitedCodeMixin, AuthenticateForm):
    """The code step of signing in."""


class LimitedReauthenticateForm(LimitedCodeMixin, ReauthenticateForm):
    """The code a signed-in person gives to confirm it is still them."""
