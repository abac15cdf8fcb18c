"""The administration, logged (R35): every admin page that shows personal data writes an access row.

The site replaces Django's default one (`admin_app.LoggedAdminConfig` in INSTALLED_APPS), and every
model admin registered on it, ours and third-party apps' alike (allauth's email addresses and user
sessions, axes' attempts), is given `AccessLoggedAdmin` at registration. Logging is therefore not
something each admin class must remember: the list, change, history and delete pages log the rows
they show, with the categories of the columns or fields on the page, read from the model's
declaration. Pages about models that hold no personal data log nothing.

Two more places show personal data outside those pages:
- the "recent actions" box on the index repeats the text of objects staff changed (an email as
  a user's name); the index leaves it out;
- the autocomplete endpoint answers with objects' text; it logs what it answered.
"""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from coursekeeper.privacy.access.services import record_access
from coursekeeper.privacy.declarations import Category, registry


class AccessLoggedAdmin(ModelAdmin):
    """Log every row the list, change, history and delete pages show to a staff member."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context:
            self._log(request, context["cl"].result_list, "changelist", self._listed_names())
        if "queryset" in context:  # the "delete selected" action's confirmation page
            self._log(request, context["queryset"], "delete", None)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("original") is not None:
            names = [
                name
                for fieldset in context["adminform"].fieldsets
                for name in _flatten(fieldset[1].get("fields", ()))
            ]
            self._log(request, [context["original"]], "change", names)
            for inline in context.get("inline_admin_formsets", ()):
                shown = [form.instance for form in inline.formset.forms if form.instance.pk]
                self._log_rows(
                    request, shown, f"{self._place('change')} ({inline.opts.model_name})"
                )
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("object") is not None:
            self._log(request, [context["object"]], "history", ["__str__"])
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("object") is not None:
            self._log(request, [context["object"]], "delete", ["__str__"])
        return response

    # --- what the page showed -------------------------------------------------------------------

    def _listed_names(self) -> list[str]:
        return [name for name in self.list_display if isinstance(name, str)] or ["__str__"]

    def _place(self, page: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{page}"

    def _log(self, request, rows, page: str, names: list[str] | None) -> None:
        declaration = registry.get(self.model._meta.concrete_model)
        if declaration is None:
            return
        record_access(
            acting_user=request.user,
            rows=list(rows),
            place=self._place(page),
            categories=None if names is None else shown_categories(declaration, names),
        )

    def _log_rows(self, request, rows, place: str) -> None:
        record_access(acting_user=request.user, rows=rows, place=place)


def shown_categories(declaration, names: list[str]) -> list[str]:
    """Return the personal categories the named columns or fields show.

    A name that is not a declared field (a method, `__str__`) may show anything the row holds,
    so it counts as every personal category of the declaration.
    """
    shown: set[str] = set()
    for name in names:
        spec = declaration.fields.get(name)
        if isinstance(spec, Category):
            shown.add(spec.value)
        elif spec is None:
            shown.update(category.value for category in declaration.categories())
    return sorted(shown)


def _flatten(names) -> list[str]:
    flat: list[str] = []
    for name in names:
        flat.extend(_flatten(name) if isinstance(name, list | tuple) else [name])
    return flat


class LoggedAutocompleteView(AutocompleteJsonView):
    """Autocomplete answers with objects' text: log the rows it answered with."""

    def get(self, request, *args, **kwargs):
        self.answered: list = []
        response = super().get(request, *args, **kwargs)
        record_access(
            acting_user=request.user,
            rows=self.answered,
            place=f"admin:autocomplete:{self.model_admin.opts.label_lower}",
        )
        return response

    def serialize_result(self, obj, to_field_name):
        self.answered.append(obj)
        # Django has had serialize_result since 3.2; the stubs do not know it.
        return super().serialize_result(obj, to_field_name)  # type: ignore[misc]


class LoggedAdminSite(AdminSite):
    """Django's admin, with every model admin logging what it shows (see the module docstring)."""

    index_template = "admin/coursekeeper_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, AccessLoggedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AccessLoggedAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request):
        return LoggedAutocompleteView.as_view(admin_site=self)(request)
