from django.urls import path

from coursekeeper.learning import editor, views

app_name = "learning"

urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/enrol/", views.enroll, name="enroll"),
    path("lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("lessons/<int:lesson_id>/done/", views.complete, name="complete"),
    path("lessons/<int:lesson_id>/media/", views.lesson_media, name="lesson_media"),
    path("lessons/<int:lesson_id>/free/", views.free_material, name="free_material"),
    path("material/<str:token>/", views.material_download, name="material_download"),
    path("progress/", views.save_progress, name="save_progress"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("courses/<slug:slug>/news/", views.news_setting, name="news_setting"),
    path("news/stop/<str:token>/", views.news_unsubscribe, name="news_unsubscribe"),
    path("teach/<slug:slug>/news/", editor.course_news, name="editor_news"),
    path("teach/", editor.course_list, name="editor_courses"),
    path("teach/new/", editor.course_edit, name="editor_new_course"),
    path("teach/<slug:slug>/", editor.course_outline, name="editor_course"),
    path("teach/<slug:slug>/edit/", editor.course_edit, name="editor_edit_course"),
    path("teach/<slug:slug>/modules/new/", editor.module_add, name="editor_new_module"),
    path("teach/<slug:slug>/lessons/new/", editor.lesson_edit, name="editor_new_lesson"),
    path(
        "teach/<slug:slug>/lessons/<int:lesson_id>/", editor.lesson_edit, name="editor_edit_lesson"
    ),
]
