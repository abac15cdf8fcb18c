from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from coursekeeper.accounts.views import second_factor_authenticate

# The administration signs in through the same login as everyone else, so throttling and the
# staff two-factor requirement apply there too.
# (allauth's documented way; mypy refuses any assignment to a method.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("coursekeeper.web.urls")),
    # allauth's code step, answering 429 while wrong codes have paused it; before allauth's own.
    path("accounts/2fa/authenticate/", second_factor_authenticate, name="mfa_authenticate"),
    path("accounts/", include("coursekeeper.accounts.unlock_urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("coursekeeper.accounts.urls")),
    path("", include("coursekeeper.privacy.urls")),
    path("", include("coursekeeper.learning.urls")),
    path("", include("coursekeeper.quizzes.urls")),
    path("", include("coursekeeper.surveys.urls")),
    path("", include("coursekeeper.assignments.urls")),
    path("", include("coursekeeper.certificates.urls")),
    path("", include("coursekeeper.cookies.urls")),
    path("", include("coursekeeper.stats.urls")),
    path("", include("coursekeeper.contact.urls")),
    path("", include("coursekeeper.newsletter.urls")),
    path("", include("coursekeeper.commerce.sandbox_urls")),
    path("", include("coursekeeper.commerce.webhook_urls")),
    path("", include("coursekeeper.commerce.invoice_urls")),
    path("", include("coursekeeper.commerce.checkout_urls")),
    path("", include("coursekeeper.commerce.account_urls")),
    path("", include("coursekeeper.commerce.staff_urls")),
    path("", include("coursekeeper.jobs.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "coursekeeper.web.errors.bad_request"
handler403 = "coursekeeper.web.errors.permission_denied"
handler404 = "coursekeeper.web.errors.page_not_found"
handler500 = "coursekeeper.web.errors.server_error"
