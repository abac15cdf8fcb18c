"""The built-in test provider's hosted payment page, included at the site root."""

from django.urls import path

from coursekeeper.commerce import sandbox_views

app_name = "commerce_sandbox"

urlpatterns = [
    path("pay/test/<str:session_id>/", sandbox_views.pay, name="pay"),
]
