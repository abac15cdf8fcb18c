from django.urls import path

from coursekeeper.assignments import views

app_name = "assignments"

urlpatterns = [
    path("lessons/<int:lesson_id>/hand-in/", views.hand_in, name="hand_in"),
    path("handins/<int:submission_id>/file/", views.own_file, name="own_file"),
    path("teach/<slug:slug>/handins/", views.queue, name="queue"),
    path("teach/<slug:slug>/handins/<int:submission_id>/", views.review, name="review"),
    path(
        "teach/<slug:slug>/handins/<int:submission_id>/file/",
        views.review_file,
        name="review_file",
    ),
]
