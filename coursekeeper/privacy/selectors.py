"""Reads of the privacy app that pages render."""

from __future__ import annotations

from dataclasses import dataclass, field

from coursekeeper.privacy.declarations import registry
from coursekeeper.privacy.purposes import ALL_PURPOSES, Purpose
from coursekeeper.privacy.texts import retention_text


@dataclass
class PurposeSummary:
    purpose: Purpose
    categories: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)


def processing_by_purpose() -> list[PurposeSummary]:
    """Return, per purpose, the categories it uses and how long they are kept."""
    summaries = {code: PurposeSummary(purpose) for code, purpose in ALL_PURPOSES.items()}
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        for purpose in declaration.purposes:
            summary = summaries[purpose.code]
            for category in declaration.categories():
                if str(category.label) not in summary.categories:
                    summary.categories.append(str(category.label))
            text = retention_text(declaration.retention)
            if text not in summary.retention:
                summary.retention.append(text)
    return [s for s in summaries.values() if s.categories]
