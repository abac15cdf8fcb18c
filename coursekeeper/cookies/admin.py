"""The registry is data staff can edit; every change makes a new registry version."""

from django.contrib import admin

from coursekeeper.cookies.models import RegistryEntry


@admin.register(RegistryEntry)
class RegistryEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "category", "provider", "first_party", "duration_seconds")
    list_filter = ("category", "kind", "first_party")
    ordering = ("position", "name")
