"""Move the three page-view logs and the request "viewed" events into the one staff-access log.

Orders, invoices and contact threads each had their own "a staff member looked" table, and rights
requests a "viewed" event; from here on every view is a `StaffAccess` row. Each old row becomes
one access row naming the same person (the account, or the address when there is none), the
same staff member, the same moment and the same object, so no one's history of who saw their
data is lost. The categories are those the page showed, as the declarations said when the rows
were written. Rows about nobody (an order without a buyer or an address) have no one to tell and
are not carried over.
"""

from django.db import migrations

# (old page, new place, categories shown) per source.
ORDER_PLACES = {
    "list": ("commerce:staff_orders", ["identity", "contact", "payment"]),
    "detail": ("commerce:staff_order", ["identity", "contact", "payment", "technical", "profile"]),
}
INVOICE_PLACES = {
    "list": ("commerce:staff_invoices", ["identity", "payment", "profile"]),
    "document": ("commerce:staff_invoice", ["identity", "contact", "payment", "profile"]),
}
CONTACT_PLACES = {
    "inbox": ("contact:inbox", ["identity", "contact"]),
    "thread": ("contact:thread", ["identity", "contact", "profile", "communication"]),
}
REQUEST_CATEGORIES = ["identity", "contact", "usage", "profile", "communication"]


def _person(user_id, email):
    return (user_id, "") if user_id is not None else (None, email or "")


def move_views(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StaffAccess = apps.get_model("privacy", "StaffAccess")

    def type_of(app_label, model):
        return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]

    sources = [
        (
            apps.get_model("commerce", "OrderView").objects.select_related("order"),
            type_of("commerce", "order"),
            "sales",
            ORDER_PLACES,
            lambda view: (view.order_id, view.order.buyer_id, view.order.email),
        ),
        (
            apps.get_model("commerce", "InvoiceView").objects.select_related("invoice"),
            type_of("commerce", "invoice"),
            "bookkeeping",
            INVOICE_PLACES,
            lambda view: (view.invoice_id, view.invoice.buyer_id, view.invoice.buyer_email),
        ),
        (
            apps.get_model("contact", "ContactView").objects.select_related("contact"),
            type_of("contact", "contact"),
            "answer_enquiries",
            CONTACT_PLACES,
            lambda view: (view.contact_id, view.contact.user_id, view.contact.email),
        ),
    ]
    for views, object_type, purpose, places, whose in sources:
        batch = []
        for view in views.iterator(chunk_size=2000):
            object_id, user_id, email = whose(view)
            user_id, email = _person(user_id, email)
            if user_id is None and not email:
                continue
            place, categories = places[view.page]
            batch.append(
                StaffAccess(
                    user_id=user_id,
                    email=email,
                    at=view.at,
                    staff_id=view.viewed_by_id,
                    categories=categories,
                    object_type=object_type,
                    object_id=str(object_id),
                    purpose=purpose,
                    place=place,
                )
            )
            if len(batch) >= 2000:
                StaffAccess.objects.bulk_create(batch)
                batch = []
        StaffAccess.objects.bulk_create(batch)

    RightsRequestEvent = apps.get_model("privacy", "RightsRequestEvent")
    request_type = type_of("privacy", "rightsrequest")
    viewed = RightsRequestEvent.objects.filter(action="viewed").select_related("request")
    batch = []
    for event in viewed.iterator(chunk_size=2000):
        user_id, email = _person(event.request.user_id, event.request.email)
        if user_id is not None or email:
            batch.append(
                StaffAccess(
                    user_id=user_id,
                    email=email,
                    at=event.at,
                    staff_id=event.actor_id,
                    categories=REQUEST_CATEGORIES,
                    object_type=request_type,
                    object_id=str(event.request_id),
                    purpose="privacy_rights",
                    place="privacy:request_detail",
                )
            )
    StaffAccess.objects.bulk_create(batch, batch_size=2000)
    viewed.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0011_staff_access"),
        ("commerce", "0003_order_payment_index"),
        ("contact", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_views, migrations.RunPython.noop)]
