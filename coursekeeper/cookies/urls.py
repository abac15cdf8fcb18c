from django.urls import path

from coursekeeper.cookies import views

app_name = "cookies"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="settings"),
    path("cookies/choice/", views.make_choice, name="choose"),
]
