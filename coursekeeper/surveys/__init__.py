"""Surveys in lessons, named or anonymous (R6, R44)."""
