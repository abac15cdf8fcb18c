"""The public pages that lift a sign-in lockout, beside allauth's under /accounts/ (R2)."""

from django.urls import path

from coursekeeper.accounts import views

urlpatterns = [
    path("unlock/", views.unlock_request, name="account_unlock_request"),
    path("unlock/<str:token>/", views.unlock_account, name="account_unlock"),
]
