"""System checks that keep the declaration complete (R26). Stable ids:

- privacy.E001 a model (auto-created and third-party ones included) is not declared
- privacy.E002 a field of a declared model is not declared
- privacy.E003 a subject lookup or a retention column is not indexed
- privacy.E004 a personal-looking field is declared not personal without a written reason
- privacy.E005 a CASCADE could delete a held row
- privacy.E006 a declared model has no test factory
- privacy.E007 a declaration names a field the model does not have
- privacy.E008 a cache stores its keys as given, not as keyed hashes (see privacy/cache.py)
- privacy.E010 a purpose has no registered processing path (`privacy.paths`)
- privacy.E011 a processing path names a function (`where`) that does not exist
- privacy.E012 a processing path has no rehearsal, so the generic gate test cannot run it
- privacy.E013 a legitimate-interest purpose is neither objectable nor states its compelling
  grounds
- privacy.E014 a declaration's reading names a path that leads to no field
- privacy.E015 an amount in minor units is shown without its currency (not in `Reading.money`)
- privacy.E016 a reading's reference would show a secret (a field declared as credentials)
- privacy.E017 an erasure participant names a model that is not declared as holding personal
  data (`privacy.participants`)
- privacy.E018 an erasure participant goes with the erasure of a model whose rows erasure keeps
  (HOLD): it would act as if they went
- privacy.E020 a consent-based purpose does not declare the event that ends its service
  (`privacy.service_ends`)
- privacy.E021 a declared service end names a staff action (`where`) that does not exist
- privacy.E022 data held only on consent has no retention column, so the end of its service
  cannot tell what was recorded before it
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import cast

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from coursekeeper.privacy.cache import KEY_FUNCTION, uses_keyed_keys
from coursekeeper.privacy.declarations import Category, KeepHeld, NotPersonal, registry
from coursekeeper.privacy.indexes import added_index_columns
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis

# Words of a field name (split at "_") that suggest personal data: "ip" flags `ip_address` but
# not `description`.
PERSONAL_LOOKING_WORDS = {"email", "ip", "phone", "name", "address", "agent", "username", "user"}


def declarable_fields(model: type[models.Model]) -> list[models.Field]:
    """Return the fields a declaration must cover: every column and many-to-many of the model."""
    return [
        f
        for f in model._meta.get_fields()
        # Only fields pass the rest (a reverse relation is auto-created and not concrete); the
        # isinstance says so to mypy.
        if isinstance(f, models.Field)
        and (f.concrete or f.many_to_many)
        and not (f.auto_created and not f.concrete)
        and not (f.primary_key and f.auto_created)
    ]


def is_personal_looking(model_field: models.Field) -> bool:
    if isinstance(model_field, models.EmailField | models.GenericIPAddressField | models.FileField):
        return True
    related = model_field.related_model if model_field.is_relation else None
    # A model class (the stubs also allow "self", which Django has resolved by now).
    if isinstance(related, type) and related._meta.label == settings.AUTH_USER_MODEL:
        return True
    return bool(PERSONAL_LOOKING_WORDS & set(model_field.name.lower().split("_")))


def resolve_path(model: type[models.Model], path: str) -> tuple[type[models.Model], models.Field]:
    """Follow a `a__b__c` lookup and return the last model and field."""
    current = model
    parts = path.split("__")
    # Casts: relations are resolved to model classes once the apps are ready; a path that does
    # not lead to a field fails here or in is_indexed (privacy.E003).
    for part in parts[:-1]:
        current = cast("type[models.Model]", current._meta.get_field(part).related_model)
    return current, cast(models.Field, current._meta.get_field(parts[-1]))


def is_indexed(model: type[models.Model], model_field: models.Field) -> bool:
    # Field sets db_index; the stubs leave the attribute out.
    if model_field.primary_key or model_field.unique or model_field.db_index:  # type: ignore[attr-defined]
        return True
    if model_field.is_relation and (model_field.many_to_one or model_field.many_to_many):
        return True  # Django indexes foreign keys, and both columns of a link table
    column = model_field.column
    for index in model._meta.indexes:
        if index.fields and index.fields[0].lstrip("-") == model_field.name:
            return True
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.fields[0] == model_field.name
        ):
            return True
    for together in model._meta.unique_together:
        if together and together[0] == model_field.name:
            return True
    return column in added_index_columns(model._meta.label)


@checks.register("privacy")
def check_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models(include_auto_created=True):
        declaration = registry.get(model)
        label = model._meta.label
        if declaration is None:
            errors.append(
                checks.Error(
                    f"{label} is not declared in any privacy.py.",
                    hint="Declare it with coursekeeper.privacy.declarations.declare().",
                    obj=model,
                    id="privacy.E001",
                )
            )
            continue
        errors.extend(_check_fields(model, declaration))
        errors.extend(_check_indexes(model, declaration))
        errors.extend(_check_cascades(model, declaration))
        errors.extend(_check_reading(model, declaration))
    errors.extend(_check_factories())
    return errors


def _check_fields(model, declaration) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    names = {f.name for f in declarable_fields(model)}
    for model_field in declarable_fields(model):
        spec = declaration.fields.get(model_field.name)
        if spec is None:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{model_field.name} is not declared.",
                    hint="Give it a data category or NOT_PERSONAL.because('…').",
                    obj=model,
                    id="privacy.E002",
                )
            )
        elif isinstance(spec, NotPersonal) and not spec.reason and is_personal_looking(model_field):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{model_field.name} looks personal but is declared not "
                    "personal without a reason.",
                    hint="Use NOT_PERSONAL.because('why this holds nothing about a person').",
                    obj=model,
                    id="privacy.E004",
                )
            )
        elif not isinstance(spec, Category | NotPersonal):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{model_field.name} has no valid category.",
                    obj=model,
                    id="privacy.E002",
                )
            )
    for name in sorted(set(declaration.fields) - names):
        errors.append(
            checks.Error(
                f"{model._meta.label} declares '{name}', which is not one of its fields.",
                obj=model,
                id="privacy.E007",
            )
        )
    return errors


def _check_indexes(model, declaration) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    lookups = [*declaration.subject.paths(), *declaration.retention.columns()]
    for path in lookups:
        try:
            owner, model_field = resolve_path(model, path)
        except Exception:
            errors.append(
                checks.Error(
                    f"{model._meta.label}: '{path}' does not lead to a field.",
                    obj=model,
                    id="privacy.E003",
                )
            )
            continue
        if not is_indexed(owner, model_field):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: '{path}' is not indexed, so finding a person's rows "
                    "or the expired rows would scan the table.",
                    hint="Add db_index=True or an index that starts with this column.",
                    obj=model,
                    id="privacy.E003",
                )
            )
    return errors


def _check_cascades(model, declaration) -> list[checks.CheckMessage]:
    if not isinstance(declaration.erasure, KeepHeld):
        return []
    errors: list[checks.CheckMessage] = []
    for model_field in model._meta.get_fields():
        if not (model_field.is_relation and model_field.many_to_one and model_field.concrete):
            continue
        if model_field.remote_field.on_delete is models.CASCADE:
            target = registry.get(model_field.related_model)
            if target is None or not isinstance(target.erasure, KeepHeld):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{model_field.name} is CASCADE: erasing the "
                        f"{model_field.related_model._meta.label} would delete a held row.",
                        hint="Use SET_NULL (copy what the row needs onto it) or PROTECT.",
                        obj=model,
                        id="privacy.E005",
                    )
                )
    return errors


# An integer amount in minor units (øre, cent) is named `<what>_minor` throughout the project.
MINOR_UNITS_SUFFIX = "_minor"


def _check_reading(model, declaration) -> list[checks.CheckMessage]:
    """Check that the person's copy can read what the declaration says it shows (R28)."""
    errors: list[checks.CheckMessage] = []
    reading = declaration.reading
    resolved = {}
    for path in reading.paths():
        try:
            resolved[path] = resolve_path(model, path)
        except Exception:
            errors.append(
                checks.Error(
                    f"{model._meta.label}: the reading names '{path}', which leads to no field.",
                    obj=model,
                    id="privacy.E014",
                )
            )
    for name, spec in declaration.fields.items():
        if (
            isinstance(spec, Category)
            and name.endswith(MINOR_UNITS_SUFFIX)
            and name not in reading.money
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name} is an amount in minor units that a person's "
                    "copy would show without its currency, as øre or cent.",
                    hint="Name its currency in the declaration: "
                    f'reading=Reading(money={{"{name}": "currency"}}).',
                    obj=model,
                    id="privacy.E015",
                )
            )
    for path in reading.references:
        if path not in resolved:
            continue  # reported as E008 above
        owner, model_field = resolved[path]
        target = registry.get(owner)
        if target is not None and target.fields.get(model_field.name) == Category.CREDENTIALS:
            errors.append(
                checks.Error(
                    f"{model._meta.label}: the reference '{path}' would show a secret in a "
                    "person's copy of their data.",
                    hint="Name the row by something that opens nothing.",
                    obj=model,
                    id="privacy.E016",
                )
            )
    return errors


def factory_models() -> set[type[models.Model]] | None:
    """Return every model some factory builds, or None when factory_boy is not installed."""
    try:
        import factory.django
    except ImportError:
        return None
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("coursekeeper."):
            try:
                importlib.import_module(f"{app_config.name}.factories")
            except ModuleNotFoundError as error:
                if error.name != f"{app_config.name}.factories":
                    raise
    covered = set()
    pending = list(factory.django.DjangoModelFactory.__subclasses__())
    while pending:
        factory_class = pending.pop()
        pending.extend(factory_class.__subclasses__())
        model = getattr(factory_class._meta, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        if model is not None:
            covered.add(model)
    return covered


def _check_factories() -> list[checks.CheckMessage]:
    covered = factory_models()
    if covered is None:
        return [
            checks.Warning(
                "factory_boy is not installed; declared models' factories were not checked.",
                id="privacy.W006",
            )
        ]
    return [
        checks.Error(
            f"{declaration.label} is declared but no test factory builds it.",
            hint="Add a factory in the app's factories.py so the no-trace test covers it.",
            obj=declaration.model,
            id="privacy.E006",
        )
        for declaration in registry
        if declaration.model not in covered and declaration.holds_personal_data
    ]


@checks.register("privacy")
def check_cache_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The cache is not a model, so no declaration covers it: its keys must be keyed hashes."""
    return [
        checks.Error(
            f"The cache '{alias}' stores its keys as given: the sign-up library's rate limits "
            "would keep unkeyed hashes of email addresses and account ids in it.",
            hint=f"Set CACHES['{alias}']['KEY_FUNCTION'] = '{KEY_FUNCTION}'.",
            id="privacy.E008",
        )
        for alias in settings.CACHES
        if not uses_keyed_keys(alias)
    ]


@checks.register("privacy")
def check_processing_paths(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every purpose is carried out somewhere known, and every path can be rehearsed."""
    from coursekeeper.privacy import paths

    errors: list[checks.CheckMessage] = []
    for purpose in ALL_PURPOSES.values():
        if not paths.paths_of(purpose.code):
            errors.append(
                checks.Error(
                    f"The purpose {purpose.code!r} has no registered processing path.",
                    hint="Register where it is carried out with "
                    "coursekeeper.privacy.paths.processing_path() in the app's privacy.py.",
                    id="privacy.E010",
                )
            )
        if (
            purpose.basis == LegalBasis.LEGITIMATE_INTEREST
            and not purpose.objectable
            and not purpose.compelling_grounds
        ):
            errors.append(
                checks.Error(
                    f"The purpose {purpose.code!r} rests on a legitimate interest, cannot be "
                    "objected to and does not say why.",
                    hint="Make it objectable, or write its compelling_grounds (Art. 21(1)).",
                    id="privacy.E013",
                )
            )
    # Rehearsals live in the factories modules, which need factory_boy (a test dependency).
    rehearsals_checked = importlib.util.find_spec("factory") is not None
    for path in paths.all_paths():
        for dotted in path.where:
            try:
                paths.resolve(dotted)
            except (ImportError, AttributeError):
                errors.append(
                    checks.Error(
                        f"The processing path {path.name!r} names {dotted!r}, which does not "
                        "exist.",
                        id="privacy.E011",
                    )
                )
        if not rehearsals_checked:
            continue
        try:
            rehearsal = paths.resolve(path.rehearsal) if path.rehearsal else None
        except (ImportError, AttributeError):
            rehearsal = None
        if not callable(rehearsal):
            errors.append(
                checks.Error(
                    f"The processing path {path.name!r} has no rehearsal.",
                    hint="Name a function in the app's factories.py that builds what the path "
                    "needs for one person and returns a coursekeeper.privacy.paths.Rehearsal.",
                    id="privacy.E012",
                )
            )
    return errors


@checks.register("privacy")
def check_erasure_participants(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each erasure participant goes with the erasure of declared rows that really go."""
    from coursekeeper.privacy.participants import participants

    errors: list[checks.CheckMessage] = []
    for participant in participants():
        for model in participant.models:
            declaration = registry.get(model)
            label = model._meta.label
            if declaration is None or not declaration.holds_personal_data:
                errors.append(
                    checks.Error(
                        f"The erasure participant {participant.code!r} names {label}, which is "
                        "not declared as holding personal data.",
                        hint="Name the declared models whose erasure the step goes with.",
                        obj=model,
                        id="privacy.E017",
                    )
                )
            elif isinstance(declaration.erasure, KeepHeld):
                errors.append(
                    checks.Error(
                        f"The erasure participant {participant.code!r} goes with the erasure of "
                        f"{label}, whose rows erasure keeps (HOLD).",
                        hint="A step that acts because the rows go must not name held rows: "
                        "drop the model from the participant, or change its erasure.",
                        obj=model,
                        id="privacy.E018",
                    )
                )
    return errors


@checks.register("privacy")
def check_service_ends(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every consent's service can end, and what was held only on it then goes (R29)."""
    from coursekeeper.privacy import paths, service_ends
    from coursekeeper.privacy.declarations import After

    errors: list[checks.CheckMessage] = []
    for purpose in ALL_PURPOSES.values():
        if purpose.basis == LegalBasis.CONSENT and service_ends.declared_end(purpose.code) is None:
            errors.append(
                checks.Error(
                    f"The consent-based purpose {purpose.code!r} does not declare what ends "
                    "its service.",
                    hint="Declare it with coursekeeper.privacy.service_ends.declare_service_end() "
                    "in the app's privacy.py, naming the staff action that records it.",
                    id="privacy.E020",
                )
            )
    for declared in service_ends.all_declared():
        try:
            paths.resolve(declared.where)
        except (ImportError, AttributeError):
            errors.append(
                checks.Error(
                    f"The end of the {declared.purpose.code!r} service names {declared.where!r}, "
                    "which does not exist.",
                    id="privacy.E021",
                )
            )
    for declaration in registry:
        if service_ends.held_only_on_consent(declaration) and not isinstance(
            declaration.retention, After
        ):
            errors.append(
                checks.Error(
                    f"{declaration.label} is held only on consent but has no retention column.",
                    hint="Give it an After(...) retention on the column that says when a row "
                    "was recorded, so the end of its service deletes what came before it.",
                    obj=declaration.model,
                    id="privacy.E022",
                )
            )
    return errors
