from django.urls import path

from coursekeeper.newsletter import views

app_name = "newsletter"

urlpatterns = [
    # Public: sign up, confirm from the inbox, unsubscribe in one step without signing in.
    path("newsletter/", views.signup, name="signup"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Staff: the owner and support write, preview and send.
    path("staff/newsletters/", views.staff_list, name="staff_list"),
    path("staff/newsletters/new/", views.staff_edit, name="staff_new"),
    # Staff: end the newsletter as a service (R29), and open it again.
    path("staff/newsletters/discontinue/", views.staff_discontinue, name="staff_discontinue"),
    path("staff/newsletters/restart/", views.staff_restart, name="staff_restart"),
    path("staff/newsletters/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/newsletters/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/newsletters/<int:pk>/send/", views.staff_send, name="staff_send"),
]
