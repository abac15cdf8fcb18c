"""Print the whole personal-data declaration: a readable table, or JSON with --json."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from coursekeeper.privacy.declarations import Category, NotPersonal, registry


def declaration_map() -> list[dict]:
    """Return the declaration as plain data, one entry per model."""
    result = []
    for declaration in registry:
        result.append(
            {
                "model": declaration.label,
                "subject": declaration.subject.describe(),
                "purposes": [
                    {"code": p.code, "basis": p.basis.value} for p in declaration.purposes
                ],
                "categories": [c.value for c in declaration.categories()],
                "fields": {
                    name: (
                        spec.value
                        if isinstance(spec, Category)
                        else {"not_personal": spec.reason or True}
                        if isinstance(spec, NotPersonal)
                        else str(spec)
                    )
                    for name, spec in sorted(declaration.fields.items())
                },
                "retention": declaration.retention.describe(),
                "erasure": declaration.erasure.describe(),
                "source": declaration.source,
            }
        )
    return result


class Command(BaseCommand):
    help = "Show what every model holds about whom, why, for how long, and what erasure does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, **options) -> None:
        entries = declaration_map()
        if options["json"]:
            self.stdout.write(json.dumps(entries, indent=2, ensure_ascii=False))
            return
        headers = ("model", "subject", "categories", "purposes", "retention", "erasure")
        rows = [
            (
                e["model"],
                e["subject"],
                ", ".join(e["categories"]) or "— (not personal)",
                ", ".join(f"{p['code']} [{p['basis']}]" for p in e["purposes"]) or "—",
                e["retention"] if e["categories"] else "—",
                e["erasure"] if e["categories"] else "—",
            )
            for e in entries
        ]
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write(line.format(*headers))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line.format(*row))
        personal = sum(1 for e in entries if e["categories"])
        self.stdout.write(f"\n{len(entries)} models declared, {personal} hold personal data.")
