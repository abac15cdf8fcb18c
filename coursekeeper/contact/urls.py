from django.urls import path

from coursekeeper.contact import views

app_name = "contact"

urlpatterns = [
    path("contact/", views.contact_form, name="form"),
    # Staff: the inbox of contact threads.
    path("staff/contacts/", views.inbox, name="inbox"),
    path("staff/contacts/new/", views.new_contact, name="new"),
    path("staff/contacts/<int:pk>/", views.contact_detail, name="detail"),
    path("staff/contacts/<int:pk>/log/", views.log_contact, name="log"),
    path("staff/contacts/<int:pk>/reply/", views.reply, name="reply"),
]
