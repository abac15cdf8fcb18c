from django.urls import path

from coursekeeper.privacy import policy_views, register_views, views
from coursekeeper.privacy import request_views as rights
from coursekeeper.privacy.access.views import access_log, staff_changes
from coursekeeper.privacy.export_views import download_export
from coursekeeper.privacy.minors import views as minors
from coursekeeper.privacy.relationship.views import keep_account
from coursekeeper.privacy.retention_views import retention

app_name = "privacy"

urlpatterns = [
    # The privacy and cookie policies, their versions and the staff page that publishes them.
    path("privacy/", policy_views.policy_page, name="policy"),
    path("privacy/cookies/", policy_views.cookie_policy, name="cookie_policy"),
    path("privacy/changes/hide/", policy_views.hide_pending_change, name="hide_policy_notice"),
    path("privacy/versions/", policy_views.versions, name="policy_versions"),
    path("privacy/versions/<int:number>/", policy_views.version_page, name="policy_version"),
    path(
        "privacy/versions/<int:old>/<int:new>/",
        policy_views.version_diff,
        name="policy_diff",
    ),
    path("staff/policy/", policy_views.policy_staff, name="policy_staff"),
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
    # Reports that an account belongs to a minor (R1): anyone reports, the privacy officer
    # decides, and a confirmed report erases the account.
    path("privacy/report-a-minor/", minors.report_minor, name="report_minor"),
    path("staff/minor-reports/", minors.report_queue, name="minor_reports"),
    path("staff/minor-reports/<int:pk>/", minors.report_detail, name="minor_report"),
    path("staff/minor-reports/<int:pk>/account/", minors.link_account, name="minor_report_link"),
    path(
        "staff/minor-reports/<int:pk>/dismiss/", minors.dismiss_report, name="minor_report_dismiss"
    ),
    path(
        "staff/minor-reports/<int:pk>/confirm/", minors.confirm_report, name="minor_report_confirm"
    ),
    # The link in the warning before an account whose customer relationship ended goes (R20).
    path("privacy/keep/<str:token>/", keep_account, name="keep_account"),
    # Staff: the request queue.
    path("staff/requests/", rights.request_queue_view, name="request_queue"),
    path("staff/requests/new/", rights.log_request, name="log_request"),
    path("staff/requests/<int:pk>/", rights.request_detail, name="request_detail"),
    path("staff/requests/<int:pk>/<slug:action>/", rights.request_action, name="request_action"),
    path(
        "staff/requests/<int:pk>/recipients/<int:notice_pk>/told/",
        rights.recipient_told,
        name="recipient_told",
    ),
    # Staff: who among the staff saw whose data (R35).
    path("staff/access-log/", access_log, name="access_log"),
    path("staff/changes/", staff_changes, name="staff_changes"),
    # Staff: what the retention sweep will remove in the coming weeks, and what it did (R33).
    path("staff/retention/", retention, name="retention"),
    # Staff: recipients and processors, disclosures on a legal order (R37), and the record of
    # processing with its exports for an authority (R25).
    path("staff/recipients/", register_views.recipient_list, name="recipients"),
    path("staff/recipients/new/", register_views.recipient_new, name="recipient_new"),
    path("staff/recipients/<int:pk>/", register_views.recipient_edit, name="recipient_edit"),
    path("staff/disclosures/new/", register_views.disclosure_new, name="disclosure_new"),
    path("staff/register/", register_views.record_page, name="register"),
    path("staff/register.csv", register_views.record_csv, name="register_csv"),
    path("staff/register.pdf", register_views.record_pdf, name="register_pdf"),
]
