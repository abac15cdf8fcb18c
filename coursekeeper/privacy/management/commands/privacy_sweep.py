"""`manage.py privacy_sweep [--dry-run] [--batch-size N]`: the daily retention sweep (R33)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coursekeeper.privacy.sweep import BATCH, run_sweep


class Command(BaseCommand):
    help = (
        "Delete or anonymise every row whose declared retention has run out, in batches of at "
        "most 10,000 rows per transaction; held rows only once their hold is released. Prints "
        "and logs per rule what was done (counts only). Runs daily from the scheduler; a rerun "
        "finds nothing left to do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would go, per rule, and change nothing",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH,
            help=f"rows per transaction, 1 to {BATCH} (default {BATCH})",
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        if not 0 < batch_size <= BATCH:
            raise CommandError(f"--batch-size must be between 1 and {BATCH}.")
        report = run_sweep(dry_run=dry_run, batch_size=batch_size)
        if options["verbosity"] >= 1:
            verbs = {
                "delete": "would delete" if dry_run else "deleted",
                "anonymise": "would anonymise" if dry_run else "anonymised",
            }
            for outcome in report.rules:
                line = f"{outcome.label} [{outcome.rule}]: {verbs[outcome.action]} {outcome.count}"
                if outcome.batches:
                    line += f" in {outcome.batches} batches"
                if outcome.cascaded:
                    removed = ", ".join(
                        f"{label} {count}" for label, count in sorted(outcome.cascaded.items())
                    )
                    line += f"; removed with them: {removed}"
                if outcome.error:
                    line += f"; FAILED ({outcome.error})"
                self.stdout.write(line)
            self.stdout.write(
                f"{'dry run' if dry_run else 'sweep'} {report.run_id}: "
                f"{verbs['delete']} {report.total('delete')}, "
                f"{verbs['anonymise']} {report.total('anonymise')}"
            )
        if report.failed:
            raise CommandError(
                "The sweep failed under: " + ", ".join(outcome.label for outcome in report.failed)
            )
