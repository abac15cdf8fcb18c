from django.urls import path

from coursekeeper.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end/", views.end_session, name="end_session"),
]
