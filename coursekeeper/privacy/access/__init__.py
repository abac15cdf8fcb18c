"""The staff access layer: who may see a person's data, and the one log of who did (R34, R35)."""
