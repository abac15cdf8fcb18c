"""Certificates of completion and their public verification (R9)."""
