"""The copy of a person's data (R28, GDPR Art. 15) and its portable part (Art. 20), as one ZIP.

Everything here is read from the declaration registry through `walks.held_about`: no model is
named, so a model is in the export the moment it is declared. Each row becomes one record
(`records`): its id, the plain name of its kind, what names it (an invoice's number, an order's
reference, a lesson's course), its categories and its values in words. The ZIP holds

- `data.json`: every record, with each value both exact (`value`: ISO dates in the person's
  time zone, money as `{"amount": "1000.00", "currency": "DKK"}`, codes as stored) and as the
  person reads it (`text`), under a translated label;
- `csv/<kind of record>.csv`: one file per kind of record, columns named by the same labels,
  cells as the summary writes them, UTF-8 with a byte-order mark so spreadsheets read it right;
- `summary.html` and `summary.pdf`: per category, what data, why and on which legal basis, who
  receives it, how long it is kept and where it came from — then every record with its values,
  grouped by kind — with the provider's contact details and the person's rights. All of it in
  the person's language, dates and times in their time zone.

What is withheld (`records.WITHHELD`): texts of the credentials category — a copy that leaks
must not open the account. The field and the fact that it is held still show, and so do its
dates. The link to the person's own account is left out: it is them.

The portable part (Art. 20(1)): only declarations whose data the person gave or their use
produced (`source` "person" or "use") and that rest on consent or a contract; of those, not
credentials (secrets) and not technical records (session keys, addresses, browsers), which are
the platform's own security bookkeeping rather than data the person could take elsewhere.

In the CSV files a text that a spreadsheet would run as a formula gets a leading apostrophe;
`data.json` keeps every value exactly.

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
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.declarations import Category, Declaration
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import LegalBasis
from coursekeeper.privacy.records import WITHHELD, Record, Value, label_of, read_held
from coursekeeper.privacy.texts import retention_text
from coursekeeper.privacy.walks import held_about

PORTABLE_SOURCES = frozenset({"person", "use"})
PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})
NOT_PORTABLE_CATEGORIES = frozenset({Category.CREDENTIALS, Category.TECHNICAL})

SOURCE_LABELS = {
    "person": _("you gave it"),
    "use": _("produced by your use"),
    "staff": _("recorded by staff"),
    "system": _("recorded by the system"),
    "others": _("someone else told us"),
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


@dataclass
class KindOfRecord:
    """One declaration's records in the copy, with the personal fields the copy shows."""

    declaration: Declaration
    fields: tuple[str, ...]
    records: list[Record]

    @property
    def label(self) -> str:
        return self.declaration.label

    @property
    def name(self) -> str:
        """What a person calls these records, in the active language ("Orders")."""
        return capfirst(self.declaration.plural_name)

    def fields_in(self, category: Category) -> list[str]:
        return [name for name in self.fields if self.declaration.fields[name] == category]

    def columns(self) -> list[tuple[str, str]]:
        """Return (key, label) of every value a record of this kind can show, references first."""
        seen: dict[str, str] = {}
        for record in self.records:
            for value in (*record.references, *record.values):
                seen.setdefault(value.key, value.label)
        return list(seen.items())


def collect(person: Person, *, portability_only: bool) -> list[KindOfRecord]:
    """Return what the export carries about `person`, declaration by declaration.

    Call inside `translation.override` and `timezone.override`: the records are written in the
    active language and time zone.
    """
    kinds = []
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
        shown, records = read_held(person, held, fields=fields)
        if records:
            kinds.append(KindOfRecord(declaration=declaration, fields=shown, records=records))
    return kinds


def _categories_in(kinds: list[KindOfRecord]) -> list[Category]:
    present = {kind.declaration.fields[name] for kind in kinds for name in kind.fields}
    return [category for category in Category if category in present]


# --- data.json -----------------------------------------------------------------------------------


def _value_json(value: Value, *, with_category: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": value.label}
    if with_category:
        entry["category"] = value.category.value if value.category else None
    entry["value"] = value.data
    entry["text"] = value.text
    return entry


def record_json(record: Record) -> dict[str, Any]:
    """Return one record as `data.json` carries it."""
    return {
        "id": record.id,
        "type": record.declaration.label,
        "kind": capfirst(record.declaration.plural_name),
        "name": record.name,
        "categories": [
            {"code": category.value, "label": str(category.label)} for category in record.categories
        ],
        "references": {
            value.key: _value_json(value, with_category=False) for value in record.references
        },
        "values": {value.key: _value_json(value, with_category=True) for value in record.values},
    }


def data_json(
    kinds: list[KindOfRecord],
    *,
    generated_at: dt.datetime,
    portability_only: bool,
    language: str,
    time_zone: str,
) -> dict[str, Any]:
    """Return the content of `data.json`: one entry per record, labels translated."""
    return {
        "generated_at": timezone.localtime(generated_at).isoformat(),
        "language": language,
        "time_zone": time_zone,
        "portability_only": portability_only,
        "records": [record_json(record) for kind in kinds for record in kind.records],
    }


# --- The CSV files -------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if _FORMULA.match(value) else value
    return json.dumps(value, ensure_ascii=False)


def csv_names(kinds: list[KindOfRecord]) -> dict[str, str]:
    """Return, per declaration label, the file name of its CSV: its kind's plain name.

    Two kinds whose names read alike get the label appended, so no file replaces another.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for kind in kinds:
        stem = slugify(kind.declaration.plural_name, allow_unicode=True) or kind.label
        if stem in taken:
            stem = f"{stem}-{kind.label}"
        taken.add(stem)
        names[kind.label] = f"csv/{stem}.csv"
    return names


def csv_file(kind: KindOfRecord) -> str:
    """Return one kind's records as CSV: a header of labels, then a line per record."""
    columns = kind.columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(_("Record")), *[label for _key, label in columns]])
    for record in kind.records:
        texts = {value.key: value.text for value in (*record.references, *record.values)}
        writer.writerow(
            [_csv_cell(record.id), *[_csv_cell(texts.get(key, "")) for key, _label in columns]]
        )
    return "\ufeff" + buffer.getvalue()


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


def summarise(kinds: list[KindOfRecord], recipients: list) -> tuple[list[CategorySummary], list]:
    """Return, per category, what the summary says; and the recipients no category covers.

    Call inside `translation.override`: every label is rendered in the active language.
    """
    summaries = []
    shown = set()
    for category in _categories_in(kinds):
        summary = CategorySummary(code=category.value, label=str(category.label))
        for kind in kinds:
            names = kind.fields_in(category)
            if not names:
                continue
            summary.models.append(
                ModelSummary(
                    name=kind.name,
                    count=len(kind.records),
                    fields=[label_of(kind.declaration, name) for name in names],
                )
            )
            for purpose in kind.declaration.purposes:
                _add(
                    summary.purposes,
                    (str(purpose.title), str(purpose.basis.label), str(purpose.description)),
                )
            _add(summary.retention, retention_text(kind.declaration.retention))
            source = SOURCE_LABELS.get(kind.declaration.source)
            _add(summary.sources, str(source or kind.declaration.source))
        for index, line in enumerate(recipients):
            if summary.label in line.categories:
                summary.recipients.append(line)
                shown.add(index)
        summaries.append(summary)
    others = [line for index, line in enumerate(recipients) if index not in shown]
    return summaries, others


def _recipients(person: Person, kinds: list[KindOfRecord]) -> list:
    from coursekeeper.privacy.recipients import recipients_for

    return recipients_for(person, categories={c.value for c in _categories_in(kinds)})


def summary_html(
    person: Person,
    kinds: list[KindOfRecord],
    *,
    generated_at: dt.datetime,
    portability_only: bool,
    language: str,
    time_zone: str,
) -> str:
    """Return the readable summary; call inside `translation.override(language)` and
    `timezone.override(time_zone)`."""
    from coursekeeper.privacy.models import ProviderSettings

    categories, other_recipients = summarise(kinds, _recipients(person, kinds))
    return render_to_string(
        "privacy/export_summary.html",
        {
            "language": language,
            "time_zone": time_zone,
            "provider": ProviderSettings.load(),
            "school_name": settings.SCHOOL_NAME,
            "generated_at": generated_at,
            "portability_only": portability_only,
            "categories": categories,
            "other_recipients": other_recipients,
            "kinds": sorted(kinds, key=lambda kind: kind.name.casefold()),
            "withheld": WITHHELD,
            "withheld_any": any(
                value.text == WITHHELD
                for kind in kinds
                for record in kind.records
                for value in record.values
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


def export_time_zone(person: Person) -> str:
    """Return the person's time zone, else the site's (someone without an account)."""
    zone = getattr(person.user, "time_zone", "") if person.user_id is not None else ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return zone


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
    time_zone = export_time_zone(person)
    with translation.override(language), timezone.override(ZoneInfo(time_zone)):
        kinds = collect(person, portability_only=portability_only)
        data = data_json(
            kinds,
            generated_at=generated_at,
            portability_only=portability_only,
            language=language,
            time_zone=time_zone,
        )
        html = summary_html(
            person,
            kinds,
            generated_at=generated_at,
            portability_only=portability_only,
            language=language,
            time_zone=time_zone,
        )
        names = csv_names(kinds)
        csv_files = {names[kind.label]: csv_file(kind) for kind in kinds}
    pdf = summary_pdf(html)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
        )
        for name, content in csv_files.items():
            archive.writestr(name, content)
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
