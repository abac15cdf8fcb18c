from django.urls import path

from coursekeeper.privacy import request_views as rights
from coursekeeper.privacy import views
from coursekeeper.privacy.export_views import download_export
from coursekeeper.privacy.retention_views import retention

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("staff/provider/", views.provider_settings, name="provider_settings"),
    # A person's copy of their data: only its owner, signed in, within 7 days.
    path("privacy/exports/<int:pk>/download/", download_export, name="download_export"),
    # The person's own rights, from the account.
    path("me/privacy/", rights.my_privacy, name="my_privacy"),
    path("me/privacy/copy/", rights.request_copy, name="request_copy"),
    path("me/privacy/correction/", rights.request_correction, name="request_correction"),
    path("me/privacy/restriction/", rights.request_restriction, name="request_restriction"),
    path("me/privacy/restriction/lift/", rights.lift_restriction, name="lift_restriction"),
    path("me/privacy/objection/", rights.object_to_purpose, name="object_to_purpose"),
    path(
        "me/privacy/consents/<int:consent_id>/withdraw/",
        rights.withdraw_consent,
        name="withdraw_consent",
    ),
    path("me/privacy/erase/", rights.erase_account, name="erase_account"),
    # Visitors without an account.
    path("privacy/request/", rights.visitor_request, name="visitor_request"),
    path("privacy/request/confirm/<str:token>/", rights.confirm_request, name="confirm_request"),
    # Staff: the request queue.
    path("staff/requests/", rights.request_queue_view, name="request_queue"),
    path("staff/requests/new/", rights.log_request, name="log_request"),
    path("staff/requests/<int:pk>/", rights.request_detail, name="request_detail"),
    path("staff/requests/<int:pk>/<slug:action>/", rights.request_action, name="request_action"),
    # Staff: what the retention sweep will remove in the coming weeks, and what it did (R33).
    path("staff/retention/", retention, name="retention"),
]
