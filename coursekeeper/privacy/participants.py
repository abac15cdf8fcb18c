"""Erasure participants: what an app does before a person's rows are erased, and right after.

Design. Erasure walks the declarations (`walks.erase_person`) without naming a model. Some of a
person's data reaches beyond our rows, though: a subscription runs on at the payment provider
and would go on charging the card, a recipient holds a copy, the cache keeps rate limits about
the person. An app registers a participant for each such step in its `privacy.py`, beside its
declarations, with `erasure_participant(...)`: a stable code, the declared models whose erasure
the step goes with (checks privacy.E017 and E018), and what it does, in words the erase page
shows the person ("before your data is erased, any running subscription is cancelled ...").

What is atomic, and what a rerun does.
- A *before* step acts where no rollback reaches (a provider's API). The erasure job runs the
  before steps first, one after the other, outside any transaction, and records each step's
  code on the job as soon as it returned, so a retried job skips the steps already done. If one
  fails, nothing has been erased: the job is retried later, backed off like any job, and goes on
  with the first step not done. A worker can die after a step took effect and before it was
  recorded, so a step must also find its own work done and not do it twice (the shop cancels
  only what the provider still says is running).
- An *after* step runs inside the erasure's own transaction, right after the walk: it commits
  with the erasure or not at all, and a rerun of the transaction runs it again, so it must be
  idempotent. What it needs to know about the person (their addresses, who received their data)
  it reads with `reads` before the walk, because afterwards nothing about them is left to read.

An erasure without a job (someone without an account, erased at once when staff carry the
request out) runs the before steps in the request's transaction; a failure refuses the request
and nothing is erased. Not to be confused with `declarations.Participants`, the several people
who share one row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from django.db import models
from django.utils.functional import Promise

from coursekeeper.privacy.people import Person

logger = logging.getLogger(__name__)

BEFORE = "before"
AFTER = "after"


@dataclass(frozen=True)
class Erasing:
    """What a step is told about the erasure it takes part in."""

    person: Person
    # The rights request the erasure answers, if one does (a restore's re-erasure has none).
    request_id: int | None = None
    # What the participant's `reads` returned before any row went (after steps only).
    read: Any = None


@dataclass(frozen=True)
class ErasureParticipant:
    code: str
    when: str  # BEFORE or AFTER
    # A lazily translated clause that completes "Before your data is erased," or "Right after
    # it is erased,": what the step does, as the person reads it.
    does: Promise
    models: tuple[type[models.Model], ...]
    step: Callable[[Erasing], None]
    reads: Callable[[Person], Any] | None = None

    def __str__(self) -> str:
        return self.code


class StepFailed(Exception):
    """A before step failed; nothing was erased, and the erasure is to be tried again."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_participants: dict[str, ErasureParticipant] = {}


def erasure_participant(
    code: str,
    *,
    does: Promise,
    models: Collection[type[models.Model]] = (),
    before: Callable[[Erasing], None] | None = None,
    after: Callable[[Erasing], None] | None = None,
    reads: Callable[[Person], Any] | None = None,
) -> ErasureParticipant:
    """Register a step of every erasure: `before` the person's rows go, or right `after`.

    `models` are the declared models whose erasure the step goes with; `reads` (after steps
    only) returns what the step needs to know about the person, read before the walk.
    """
    if before is not None and after is None and reads is None:
        when, step = BEFORE, before
    elif after is not None and before is None:
        when, step = AFTER, after
    else:
        raise ValueError(
            f"Erasure participant {code!r}: give before= or after= (with reads=), not both."
        )
    if code in _participants:
        raise ValueError(f"Erasure participant {code!r} is registered twice.")
    participant = ErasureParticipant(
        code=code, when=when, does=does, models=tuple(models), step=step, reads=reads
    )
    _participants[code] = participant
    return participant


def participants(when: str | None = None) -> list[ErasureParticipant]:
    """Return the registered participants (of one kind), in the order they run: registration's."""
    return [p for p in _participants.values() if when is None or p.when == when]


def run_before_steps(
    erasing: Erasing,
    *,
    done: Collection[str] = (),
    record: Callable[[str], None] = lambda code: None,
) -> None:
    """Run every before step not in `done`, calling `record(code)` after each one that returned.

    Raise StepFailed at the first step that fails; the steps after it are left for the rerun.
    """
    for participant in participants(BEFORE):
        if participant.code in done:
            continue
        try:
            participant.step(erasing)
        except Exception as error:  # whatever it was, the erasure waits and is tried again
            failure = type(error).__name__
            logger.warning("erasure step failed step=%s error=%s", participant, failure)
            raise StepFailed(participant.code) from error
        record(participant.code)


def read_ahead(person: Person) -> dict[str, Any]:
    """Return, per after step that reads, what it needs to know about `person` (before the walk)."""
    return {p.code: p.reads(person) for p in participants(AFTER) if p.reads is not None}


def run_after_steps(erasing: Erasing, read: dict[str, Any]) -> list[str]:
    """Run every after step with what it read ahead; return their codes, in order."""
    codes = []
    for participant in participants(AFTER):
        participant.step(replace(erasing, read=read.get(participant.code)))
        codes.append(participant.code)
    return codes


def described(when: str) -> list[str]:
    """Return what the participants of one kind do, in the active language, for a page."""
    return [str(participant.does) for participant in participants(when)]
