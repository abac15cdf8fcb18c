"""Quizzes in lessons: questions, attempts and scores (R6)."""
