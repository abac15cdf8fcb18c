from importlib import import_module

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.models import User
from coursekeeper.accounts.services import assign_role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    # Whether a person may use the administration follows from their role (`assign_role`).
    readonly_fields = ("date_joined", "last_login", "adult_confirmed_at", "is_staff")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "phone",
                    "street_address",
                    "postal_code",
                    "city",
                    "country",
                    "company",
                    "job_title",
                    "interests",
                    "language",
                    "time_zone",
                )
            },
        ),
        (_("Role and access"), {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("date_joined", "last_login", "adult_confirmed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change):
        """Save the profile; a new role goes through `assign_role`, which derives staff access."""
        if not (change and "role" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new_role, obj.role = obj.role, form.initial["role"]
        super().save_model(request, obj, form, change)
        assign_role(user=obj, role=new_role, acting_user=request.user)


# allauth's own admin shows and edits an authenticator's data: the TOTP secret and the
# recovery-code seed. Ours shows only what an authenticator is and when it was used, and allows
# nothing but deleting it, so a person who lost their device can set up a new one (R38). This app
# comes before allauth's in INSTALLED_APPS, so its admin module is imported here, to be replaced.
import_module("allauth.mfa.admin")
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
