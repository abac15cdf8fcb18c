from django.urls import path

from coursekeeper.commerce import invoice_views

app_name = "invoices"

# `path:` because a shop's invoice prefix may contain a slash ("INV/2026-00001").
urlpatterns = [
    path("me/invoices/<path:number>/", invoice_views.my_invoice, name="mine"),
    path("staff/invoices/", invoice_views.staff_invoices, name="staff_list"),
    path("staff/invoices/<path:number>/", invoice_views.staff_invoice, name="staff_document"),
]
