from django.urls import path

from coursekeeper.surveys import views

app_name = "surveys"

urlpatterns = [
    path("lessons/<int:lesson_id>/survey/", views.answer, name="answer"),
    path("teach/<slug:slug>/lessons/<int:lesson_id>/survey/", views.edit, name="edit"),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/survey/questions/<int:question_id>/remove/",
        views.remove_question,
        name="remove_question",
    ),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/survey/results/",
        views.results,
        name="results",
    ),
]
