"""The built-in test provider's hosted payment page, included at the site root.

The route exists only where test payments are on (`providers.base.test_payments_enabled`):
in production, unless explicitly enabled, `/pay/test/…` is not routed at all. Read when the
URL configuration loads, as every route is; the view checks again at call time.
"""

from django.urls import path

from coursekeeper.commerce import sandbox_views
from coursekeeper.commerce.providers.base import test_payments_enabled

app_name = "commerce_sandbox"

urlpatterns = (
    [path("pay/test/<str:session_id>/", sandbox_views.pay, name="pay")]
    if test_payments_enabled()
    else []
)
