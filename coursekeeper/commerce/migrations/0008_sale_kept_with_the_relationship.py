import datetime as dt

from django.db import migrations, models


def sales_go_with_the_account(apps, schema_editor):
    """A sale to an account was kept 5 years from its purchase; now it goes with the account,
    once the customer relationship has long ended (R20)."""
    Order = apps.get_model("commerce", "Order")
    Order.objects.filter(paid_at__isnull=False, buyer__isnull=False).update(keep_until=None)


def sales_counted_from_the_purchase(apps, schema_editor):
    Order = apps.get_model("commerce", "Order")
    for order in Order.objects.filter(keep_until__isnull=True).only("pk", "paid_at", "created_at"):
        moment = order.paid_at or order.created_at
        Order.objects.filter(pk=order.pk).update(keep_until=moment + dt.timedelta(days=5 * 365))


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0007_readable_labels_for_the_data_copy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="keep_until",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="An abandoned checkout goes after 30 days; a sale's record 5 years "
                "after the customer relationship ends.",
                null=True,
                verbose_name="kept until",
            ),
        ),
        migrations.RunPython(sales_go_with_the_account, sales_counted_from_the_purchase),
    ]
