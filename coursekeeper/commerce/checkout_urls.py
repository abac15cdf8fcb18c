"""Checkout URLs, included at the site root: `/checkout/...` and the buyer's seats page."""

from django.urls import path

from coursekeeper.commerce import checkout_views

app_name = "checkout"

urlpatterns = [
    path("checkout/return/<uuid:public_id>/", checkout_views.checkout_return, name="return"),
    path(
        "checkout/cancelled/<uuid:public_id>/",
        checkout_views.checkout_cancelled,
        name="cancelled",
    ),
    path("checkout/seat/<str:token>/", checkout_views.accept_seat, name="accept_seat"),
    path("checkout/<slug:slug>/", checkout_views.checkout_page, name="start"),
    path("me/orders/<uuid:public_id>/seats/", checkout_views.order_seats, name="seats"),
]
