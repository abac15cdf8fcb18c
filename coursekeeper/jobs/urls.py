from django.urls import path

from coursekeeper.jobs import views

app_name = "jobs"

urlpatterns = [
    # Operations: jobs, the scheduler, sweeps, failed tasks and the security log (R34).
    path("staff/operations/", views.operations, name="operations"),
]
