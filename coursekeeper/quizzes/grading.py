"""How an answer is graded (R6): pure functions of a question and what the learner gave.

- Single choice and true or false: right when the one right choice is picked.
- Multiple choice: all or nothing. Right only when exactly the right choices are picked; a
  question with partial credit would reward ticking every box, so there is none.
- Short text: right when it matches an accepted answer, ignoring case and all whitespace
  ("New  York" = "new york" = "NewYork").
- Number: right when it lies within the tolerance of the right number (inclusive); a comma
  may stand for the decimal point. Text that is no number is wrong, never an error.

A right answer scores the question's points, a wrong or missing one nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from coursekeeper.quizzes.models import Question

TRUE, FALSE = "true", "false"


@dataclass(frozen=True)
class Given:
    """What a learner gave for one question, already parsed."""

    chosen: frozenset[int] = frozenset()
    text: str = ""
    number: Decimal | None = None

    @property
    def is_blank(self) -> bool:
        return not self.chosen and not self.text.strip() and self.number is None


def squeeze(text: str) -> str:
    """Return `text` without case or whitespace, for comparing short answers."""
    return re.sub(r"\s+", "", text).casefold()


def parse_number(text: str) -> Decimal | None:
    """Return the number typed in `text` ("3,5" too), or None when it is none."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def accepted(question: Question) -> set[str]:
    return {squeeze(line) for line in question.accepted_answers.splitlines() if line.strip()}


def is_right(question: Question, given: Given, right_choices: Collection[int] = ()) -> bool:
    """Return whether `given` answers `question`; `right_choices` are its correct choices' ids."""
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if kind == Question.Kind.SINGLE and len(given.chosen) != 1:
            return False
        return bool(given.chosen) and given.chosen == frozenset(right_choices)
    if kind == Question.Kind.TRUE_FALSE:
        return given.text == (TRUE if question.statement_is_true else FALSE)
    if kind == Question.Kind.SHORT_TEXT:
        return bool(given.text.strip()) and squeeze(given.text) in accepted(question)
    if kind == Question.Kind.NUMBER:
        if given.number is None or question.number is None:
            return False
        return abs(given.number - question.number) <= question.tolerance
    return False


def percent(earned: int, possible: int) -> int:
    """Return the score in whole percent, rounded down (59.9 % does not pass a 60 % mark)."""
    return 100 * earned // possible if possible else 0
