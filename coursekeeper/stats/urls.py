from django.urls import path

from coursekeeper.stats import views

app_name = "stats"

urlpatterns = [
    path("statistics/screen/", views.record_screen_size, name="screen_size"),
    path("staff/statistics/", views.statistics_page, name="statistics"),
]
