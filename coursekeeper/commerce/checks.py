"""Deployment checks of the shop (`manage.py check --deploy`). Stable ids:

- commerce.W001 the built-in test payment provider is on in production
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from coursekeeper.commerce.providers.base import test_payments_enabled


@checks.register(checks.Tags.security, deploy=True)
def check_test_payments_off_in_production(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "PRODUCTION", False) and test_payments_enabled():
        return [
            checks.Warning(
                "The built-in test payment provider is on in production: anyone can mark an "
                "order paid at /pay/test/… without paying.",
                hint="Unset COURSEKEEPER_TEST_PAYMENTS unless this installation is a demo.",
                id="commerce.W001",
            )
        ]
    return []
