"""The retention sweep (R33): what the declarations say has run out goes, batch by batch.

What lives where (import everything from this package, not from its modules):
- `run`: the sweep itself, `run_sweep`, and the design comment that argues it: what is
  deleted or anonymised, the fast path, batches and locks, what a killed run leaves;
- `rules`: one `Rule` per declaration whose retention can run out, and its action;
- `forecast`: what will expire in the coming weeks (`expiring_by_week`);
- `history`: the past runs, read from the sweep's log for the staff page (`recent_runs`).
"""

from coursekeeper.privacy.sweep.forecast import (
    Forecast,
    ForecastLine,
    expiring_by_week,
)
from coursekeeper.privacy.sweep.history import SweepRun, recent_runs
from coursekeeper.privacy.sweep.rules import (
    ANONYMISE,
    DELETE,
    Rule,
    sweep_rules,
    swept_part,
)
from coursekeeper.privacy.sweep.run import (
    BATCH,
    SWEEP_LOG_KEPT_FOR,
    Batch,
    RuleOutcome,
    SweepReport,
    run_sweep,
)

__all__ = [
    "ANONYMISE",
    "BATCH",
    "DELETE",
    "SWEEP_LOG_KEPT_FOR",
    "Batch",
    "Forecast",
    "ForecastLine",
    "Rule",
    "RuleOutcome",
    "SweepReport",
    "SweepRun",
    "expiring_by_week",
    "recent_runs",
    "run_sweep",
    "sweep_rules",
    "swept_part",
]
