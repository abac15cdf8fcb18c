from django.urls import path

from coursekeeper.certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("courses/<slug:slug>/certificate/", views.download, name="download"),
    path("teach/<slug:slug>/certificates/", views.course_settings, name="course_settings"),
    path(
        "teach/<slug:slug>/certificates/<int:pk>/revoke/",
        views.course_revoke,
        name="course_revoke",
    ),
]
