"""The copy of a person's data (R28, GDPR Art. 15) and its portable part (Art. 20), as one ZIP.

Everything here is read from the declaration registry through `walks.held_about`: no model is
named, so a model is in the export the moment it is declared. The ZIP holds

- `data.json`: per data category, per model, the person's rows with that category's fields;
- `csv/<app_label>.<ModelName>.csv`: one file per model, every declared personal field;
- `summary.html` and `summary.pdf`: the same in the person's language, per category — what
  data, why and on which legal basis, who receives it, how long it is kept and where it came
  from — with the provider's contact details and the person's rights.

What is withheld. Texts of the credentials category (a password hash, a two-factor secret, a
confirmation key) are replaced by `WITHHELD`: a copy that leaks must not open the account.
The field and the fact that it is held still show, and so do its dates.

The portable part (Art. 20(1)): only declarations whose data the person gave or their use
produced (`source` "person" or "use") and that rest on consent or a contract; of those, not
credentials (secrets) and not technical records (session keys, addresses, browsers), which are
the platform's own security bookkeeping rather than data the person could take elsewhere.

Values are JSON-safe: dates and times in ISO 8601, a foreign key as the related row's id, a file
as its file name, and never raw bytes. In the CSV files a text that a spreadsheet would run as a
formula gets a leading apostrophe; `data.json` keeps every value exactly.

The summary PDF is rendered by WeasyPrint from the same HTML; the template carries its styles
inline and the fetcher refuses every URL, so building an export never touches the network.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.declarations import Category, Declaration
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import LegalBasis
from coursekeeper.privacy.texts import retention_text
from coursekeeper.privacy.walks import held_about

PORTABLE_SOURCES = frozenset({"person", "use"})
PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})
NOT_PORTABLE_CATEGORIES = frozenset({Category.CREDENTIALS, Category.TECHNICAL})
WITHHELD_CATEGORIES = frozenset({Category.CREDENTIALS})
WITHHELD = "[withheld]"

SOURCE_LABELS = {
    "person": _("you gave it"),
    "use": _("produced by your use"),
    "staff": _("recorded by staff"),
    "system": _("recorded by the system"),
}

# A cell a spreadsheet would evaluate: "=...", "@...", a leading tab or carriage return, or a
# sign followed by anything but a plain number (a phone number such as "+45 1234" stays as is).
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s().-]*$))")


def is_portable(declaration: Declaration) -> bool:
    """Return whether Art. 20(1) covers the declaration's data: given or produced, by consent
    or contract."""
    return declaration.source in PORTABLE_SOURCES and any(
        purpose.basis in PORTABLE_BASES for purpose in declaration.purposes
    )


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    return str(value)  # Decimal, UUID, timedelta: their exact text


def _export_value(model_field, category: Category, value: Any) -> Any:
    # Secrets are texts or structures (a hash, a key, a two-factor device's data); a date or a
    # flag in the same category says only when or whether, and is shown.
    if category in WITHHELD_CATEGORIES and isinstance(value, str | bytes | dict | list) and value:
        return WITHHELD
    if isinstance(model_field, models.FileField):
        return PurePosixPath(value).name if value else ""
    return _json_safe(value)


@dataclass
class ModelPart:
    """One declaration's rows in the export, with only the fields the export carries."""

    declaration: Declaration
    fields: tuple[str, ...]
    rows: list[dict[str, Any]]

    @property
    def label(self) -> str:
        return self.declaration.label

    def fields_in(self, category: Category) -> list[str]:
        return [name for name in self.fields if self.declaration.fields[name] == category]


def collect(person: Person, *, portability_only: bool) -> list[ModelPart]:
    """Return what the export carries about `person`, declaration by declaration."""
    parts = []
    for held in held_about(person):
        declaration = held.declaration
        fields = held.fields
        if portability_only:
            if not is_portable(declaration):
                continue
            fields = tuple(
                name for name in fields if declaration.fields[name] not in NOT_PORTABLE_CATEGORIES
            )
        if not fields:
            continue
        meta = declaration.model._meta
        rows = [
            {
                name: _export_value(meta.get_field(name), declaration.fields[name], row[name])
                for name in fields
            }
            for row in held.rows
        ]
        parts.append(ModelPart(declaration=declaration, fields=fields, rows=rows))
    return parts


def _categories_in(parts: list[ModelPart]) -> list[Category]:
    present = {part.declaration.fields[name] for part in parts for name in part.fields}
    return [category for category in Category if category in present]


def data_json(parts: list[ModelPart], *, generated_at: dt.datetime, portability_only: bool):
    """Return the content of `data.json`: the rows grouped by category (labels translated)."""
    categories = {}
    for category in _categories_in(parts):
        models_ = {}
        for part in parts:
            names = part.fields_in(category)
            if names:
                models_[part.label] = [{name: row[name] for name in names} for row in part.rows]
        categories[category.value] = {"label": str(category.label), "models": models_}
    return {
        "generated_at": generated_at.isoformat(),
        "portability_only": portability_only,
        "categories": categories,
    }


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if _FORMULA.match(value) else value
    return json.dumps(value, ensure_ascii=False)


def csv_file(part: ModelPart) -> str:
    """Return one model's rows as CSV text: a header of field names, then a line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(part.fields)
    for row in part.rows:
        writer.writerow([_csv_cell(row[name]) for name in part.fields])
    return buffer.getvalue()


# --- The summary ---------------------------------------------------------------------------------


@dataclass
class ModelSummary:
    name: str
    count: int
    fields: list[str]


@dataclass
class CategorySummary:
    code: str
    label: str
    models: list[ModelSummary] = field(default_factory=list)
    purposes: list[tuple[str, str, str]] = field(default_factory=list)  # title, basis, text
    recipients: list = field(default_factory=list)
    retention: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _add(items: list, item) -> None:
    if item not in items:
        items.append(item)


def summarise(parts: list[ModelPart], recipients: list) -> tuple[list[CategorySummary], list]:
    """Return, per category, what the summary says; and the recipients no category covers.

    Call inside `translation.override`: every label is rendered in the active language.
    """
    summaries = []
    shown = set()
    for category in _categories_in(parts):
        summary = CategorySummary(code=category.value, label=str(category.label))
        for part in parts:
            names = part.fields_in(category)
            if not names:
                continue
            meta = part.declaration.model._meta
            summary.models.append(
                ModelSummary(
                    name=capfirst(part.declaration.plural_name),
                    count=len(part.rows),
                    fields=[capfirst(str(meta.get_field(name).verbose_name)) for name in names],
                )
            )
            for purpose in part.declaration.purposes:
                _add(
                    summary.purposes,
                    (str(purpose.title), str(purpose.basis.label), str(purpose.description)),
                )
            _add(summary.retention, retention_text(part.declaration.retention))
            source = SOURCE_LABELS.get(part.declaration.source)
            _add(summary.sources, str(source or part.declaration.source))
        for index, line in enumerate(recipients):
            if summary.label in line.categories:
                summary.recipients.append(line)
                shown.add(index)
        summaries.append(summary)
    others = [line for index, line in enumerate(recipients) if index not in shown]
    return summaries, others


def _recipients(person: Person, parts: list[ModelPart]) -> list:
    from coursekeeper.privacy.recipients import recipients_for

    return recipients_for(person, categories={c.value for c in _categories_in(parts)})


def summary_html(
    person: Person,
    parts: list[ModelPart],
    *,
    generated_at: dt.datetime,
    portability_only: bool,
    language: str,
) -> str:
    """Return the readable summary; call inside `translation.override(language)`."""
    from coursekeeper.privacy.models import ProviderSettings

    categories, other_recipients = summarise(parts, _recipients(person, parts))
    return render_to_string(
        "privacy/export_summary.html",
        {
            "language": language,
            "provider": ProviderSettings.load(),
            "school_name": settings.SCHOOL_NAME,
            "generated_at": generated_at,
            "portability_only": portability_only,
            "categories": categories,
            "other_recipients": other_recipients,
            "withheld": WITHHELD,
            "withheld_any": any(
                value == WITHHELD for part in parts for row in part.rows for value in row.values()
            ),
        },
    )


def summary_pdf(html: str) -> bytes:
    """Render the summary as PDF; every URL is refused, so nothing is fetched."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=frozenset())
    return weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=refuse_all
    ).write_pdf()


def export_language(language: str | None) -> str:
    """Return `language` if the site offers it, else the site's default language."""
    offered = {code for code, _name in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


def build_export(
    person: Person,
    *,
    portability_only: bool,
    language: str,
    now: dt.datetime | None = None,
) -> bytes:
    """Return the ZIP of what is held about `person` (or its portable part only)."""
    generated_at = now or timezone.now()
    language = export_language(language)
    parts = collect(person, portability_only=portability_only)
    with translation.override(language):
        data = data_json(parts, generated_at=generated_at, portability_only=portability_only)
        html = summary_html(
            person,
            parts,
            generated_at=generated_at,
            portability_only=portability_only,
            language=language,
        )
    pdf = summary_pdf(html)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
        )
        for part in parts:
            archive.writestr(f"csv/{part.label}.csv", csv_file(part))
        archive.writestr("summary.html", html)
        archive.writestr("summary.pdf", pdf)
    return buffer.getvalue()


# --- Handing the file over -----------------------------------------------------------------------


def finished_export_of(user, pk: int):
    """Return export job `pk` if it is finished and `user`'s own; None otherwise.

    Someone else's job, an unfinished one and an unknown id all give None, so that the caller
    answers them alike and guessing ids tells nothing.
    """
    from coursekeeper.jobs.models import JobStatus
    from coursekeeper.privacy.models import ExportJob

    return ExportJob.objects.filter(pk=pk, user=user, status=JobStatus.DONE).first()


def has_expired(job, *, now: dt.datetime | None = None) -> bool:
    """Return whether the job's download is over: past `expires_at`, or its file is gone."""
    now = now or timezone.now()
    if job.expires_at is None or job.expires_at <= now or not job.file:
        return True
    return not job.file.storage.exists(job.file.name)


def download_name(job) -> str:
    """Return the name the browser saves the file under: the date, never the person's name."""
    made = timezone.localdate(job.finished_at or job.requested_at)
    return f"coursekeeper-data-{made.isoformat()}.zip"


# --- Expiry --------------------------------------------------------------------------------------

EXPIRY_BATCH_SIZE = 500
# A file no row names is one whose worker died between storing it and committing the row; any
# younger one may belong to a worker committing right now.
ORPHAN_GRACE = dt.timedelta(days=1)


def expire_exports(*, now: dt.datetime | None = None, batch_size: int = EXPIRY_BATCH_SIZE) -> int:
    """Delete the file and the row of every export past its `expires_at`; return how many.

    Batch by batch: a batch's files go first, then its rows, so a failure halfway leaves rows
    whose file is gone (their link already answers "expired") and the next run finishes them.
    """
    from coursekeeper.privacy.models import ExportJob

    now = now or timezone.now()
    deleted = 0
    while True:
        batch = list(
            ExportJob.objects.filter(expires_at__lte=now)
            .order_by("expires_at", "pk")
            .only("pk", "file")[:batch_size]
        )
        if not batch:
            return deleted
        for job in batch:
            if job.file:
                job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk__in=[job.pk for job in batch]).delete()
        deleted += len(batch)


def remove_orphaned_files(*, now: dt.datetime | None = None) -> int:
    """Delete stored export files that no row names and that are older than `ORPHAN_GRACE`."""
    from coursekeeper.privacy.models import ExportJob

    now = now or timezone.now()
    field_ = ExportJob._meta.get_field("file")
    storage = field_.storage
    folder = str(field_.upload_to).rstrip("/")
    try:
        _folders, names = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return 0
    named = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for name in names:
        path = f"{folder}/{name}"
        if path in named:
            continue
        try:
            if now - storage.get_modified_time(path) < ORPHAN_GRACE:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        storage.delete(path)
        removed += 1
    return removed
