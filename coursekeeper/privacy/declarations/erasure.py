"""What an erasure does to a declaration's rows: delete them, anonymise fields, or keep them held.

Each declaration states its `erasure`; none inherits one by leaving it out (see `declare`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Erasure:
    kind = ""

    def describe(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Delete(Erasure):
    kind = "delete"


@dataclass(frozen=True)
class Anonymise(Erasure):
    """Overwrite the named fields; `replacements` maps a field to a value or a callable(row)."""

    replacements: Mapping[str, Any]
    kind = "anonymise"

    def describe(self):
        return "anonymise " + ", ".join(sorted(self.replacements))


@dataclass(frozen=True)
class KeepHeld(Erasure):
    """Keep the row through an erasure because a law requires it (see the retention's Hold)."""

    kind = "hold"


DELETE = Delete()
HOLD = KeepHeld()
