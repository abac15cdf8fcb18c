"""Exercises a learner hands in and an instructor marks."""
