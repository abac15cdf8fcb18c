"""Report every place an identifier of a person appears: tables, files and log files.

    manage.py privacy_trace --email anna@example.org [--identifier "Anna Berg"] [--log FILE]

Exits 1 when a trace is found outside a table the law makes us keep, so scripts can use it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coursekeeper.accounts.models import normalize_email
from coursekeeper.privacy.trace import table_labels, trace_person


class Command(BaseCommand):
    help = "Find every place an email address (and other identifiers) of a person appears."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", action="append", default=[], help="an email address")
        parser.add_argument(
            "--identifier", action="append", default=[], help="any other text, e.g. a phone"
        )
        parser.add_argument(
            "--log", action="append", default=[], help="a log file to search (repeatable)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        identifiers = [normalize_email(e) for e in options["email"]] + options["identifier"]
        if not identifiers:
            raise CommandError("Give at least one --email or --identifier.")
        logs = [Path(p) for p in options["log"]] or sorted(Path(settings.VAR_DIR).glob("log/*.log"))
        traces = trace_person(identifiers, log_files=logs)
        labels = table_labels()
        if options["json"]:
            self.stdout.write(json.dumps([t.__dict__ for t in traces], indent=2))
        elif not traces:
            self.stdout.write("No trace found.")
        for trace in [] if options["json"] else traces:
            table = trace.where.split(".")[0]
            label = f" ({labels[table]})" if trace.kind == "table" and table in labels else ""
            note = "  [held by law]" if trace.held else ""
            self.stdout.write(f"{trace.kind:<6} {trace.where}{label}: {trace.count}{note}")
        if any(not t.held for t in traces):
            raise SystemExit(1)
