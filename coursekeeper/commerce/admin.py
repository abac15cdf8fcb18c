"""What staff edit in the administration: the catalogue, coupons, VAT rates, shop settings.

Orders and invoices hold personal data and are shown on the staff pages, which log each view;
they are not in the administration.
"""

from django.contrib import admin

from coursekeeper.commerce.models import Coupon, Price, Product, ShopSettings, VatRate
from coursekeeper.commerce.providers.base import test_payments_enabled


class PriceInline(admin.TabularInline):
    model = Price
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "interval",
        "event_attendance",
        "active",
        "vat_exempt_education",
    )
    list_filter = ("kind", "active")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("courses",)
    inlines = [PriceInline]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ("code", "percent_off", "amount_off_minor", "currency", "valid_until", "active")
    list_filter = ("active",)
    filter_horizontal = ("products",)


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ("country", "rate", "in_eu", "updated_at")


@admin.register(ShopSettings)
class ShopSettingsAdmin(admin.ModelAdmin):
    list_display = ("payment_provider", "keep_card_details", "destination_vat_chosen_at")
    # The choice of the buyer's country's VAT binds for two calendar years (VAT Directive
    # Art. 59c): it is made and ended on the shop's VAT page, which checks that, with the
    # threshold's figures beside it.
    readonly_fields = ("destination_vat_chosen_at",)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # The test provider can be chosen only where test payments are on.
        if db_field.name == "payment_provider" and not test_payments_enabled():
            kwargs["choices"] = [
                choice
                for choice in ShopSettings.Provider.choices
                if choice[0] != ShopSettings.Provider.TEST
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return not ShopSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
