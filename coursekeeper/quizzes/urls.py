from django.urls import path

from coursekeeper.quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("lessons/<int:lesson_id>/quiz/start/", views.start, name="start"),
    path("quiz/attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("quiz/attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("teach/<slug:slug>/lessons/<int:lesson_id>/quiz/", views.edit_quiz, name="editor_quiz"),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/quiz/questions/new/",
        views.edit_question,
        name="editor_new_question",
    ),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/quiz/questions/<int:question_id>/",
        views.edit_question,
        name="editor_question",
    ),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/quiz/results/",
        views.quiz_results,
        name="editor_results",
    ),
]
