"""Reports that an account belongs to a minor (R1): the public form, the review, the erasure."""
