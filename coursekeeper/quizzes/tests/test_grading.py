"""R6: each kind of question is graded on the server by a rule the module states."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coursekeeper.quizzes.grading import Given, is_right, parse_number, percent
from coursekeeper.quizzes.models import Question


def question(kind, **fields) -> Question:
    return Question(kind=kind, text="?", **fields)


@pytest.mark.parametrize(
    ("chosen", "right"), [({1}, True), ({2}, False), ({1, 2}, False), (set(), False)]
)
def test_r6_single_choice_is_right_with_only_the_right_choice(chosen, right):
    single = question(Question.Kind.SINGLE)

    assert is_right(single, Given(chosen=frozenset(chosen)), {1}) is right


@pytest.mark.parametrize(
    ("chosen", "right"),
    [({1, 2}, True), ({1}, False), ({1, 2, 3}, False), ({3}, False), (set(), False)],
)
def test_r6_multiple_choice_is_all_or_nothing(chosen, right):
    multiple = question(Question.Kind.MULTIPLE)

    assert is_right(multiple, Given(chosen=frozenset(chosen)), {1, 2}) is right


@pytest.mark.parametrize(
    ("is_true", "given", "right"),
    [(True, "true", True), (True, "false", False), (False, "false", True), (True, "", False)],
)
def test_r6_true_or_false_is_right_when_it_matches_the_statement(is_true, given, right):
    statement = question(Question.Kind.TRUE_FALSE, statement_is_true=is_true)

    assert is_right(statement, Given(text=given)) is right


@pytest.mark.parametrize(
    ("given", "right"),
    [
        ("Copenhagen", True),
        ("  copenHAGEN ", True),
        ("New  York", True),
        ("newyork", True),
        ("Aarhus", False),
        ("", False),
    ],
)
def test_r6_short_text_ignores_case_and_whitespace_against_every_accepted_answer(given, right):
    short = question(Question.Kind.SHORT_TEXT, accepted_answers="Copenhagen\nNew York\n\n")

    assert is_right(short, Given(text=given)) is right


@pytest.mark.parametrize(
    ("typed", "right"),
    [("3.14", True), ("3,1", True), ("3.2", True), ("3.21", False), ("3.05", False),
     ("pi", False), ("", False), ("NaN", False), ("inf", False)],
)  # fmt: skip
def test_r6_a_number_is_right_within_the_tolerance_inclusive(typed, right):
    number = question(Question.Kind.NUMBER, number=Decimal("3.15"), tolerance=Decimal("0.05"))

    assert is_right(number, Given(text=typed, number=parse_number(typed))) is right


def test_r6_the_score_is_whole_percent_rounded_down():
    assert (percent(2, 3), percent(3, 3), percent(0, 4), percent(0, 0)) == (66, 100, 0, 0)
