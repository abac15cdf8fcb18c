"""Staff pages for orders, refunds and the shop's VAT, included at the site root."""

from django.urls import path

from coursekeeper.commerce import staff_views

app_name = "commerce_staff"

urlpatterns = [
    path("staff/orders/", staff_views.order_list, name="orders"),
    path("staff/orders/<uuid:public_id>/", staff_views.order_detail, name="order"),
    path("staff/orders/<uuid:public_id>/refund/", staff_views.refund, name="refund"),
    path("staff/shop/vat/", staff_views.vat_threshold, name="vat"),
    path("staff/shop/vat/choice/", staff_views.vat_choice, name="vat_choice"),
]
