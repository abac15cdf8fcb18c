"""The buyer's pages after the sale and the public cancellation page, included at the site root."""

from django.urls import path

from coursekeeper.commerce import account_views

app_name = "commerce_account"

urlpatterns = [
    path("me/orders/", account_views.my_orders, name="orders"),
    path("me/orders/<uuid:public_id>/withdraw/", account_views.withdraw, name="withdraw"),
    path("me/subscriptions/<int:pk>/cancel/", account_views.cancel, name="cancel"),
    path("subscriptions/cancel/", account_views.public_cancel, name="public_cancel"),
    path(
        "subscriptions/cancel/confirm/<str:token>/",
        account_views.cancel_confirm,
        name="cancel_confirm",
    ),
]
