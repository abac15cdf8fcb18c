from django.urls import path

from coursekeeper.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("staff/provider/", views.provider_settings, name="provider_settings"),
]
