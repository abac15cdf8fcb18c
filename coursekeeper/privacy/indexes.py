"""Indexes we add to other apps' tables so their subject and retention lookups never scan.

Django's admin log finds the person an entry is about by (content_type, object_id), and
`object_id` is an unindexed text column upstream; several third-party timestamp columns that
retention counts from are unindexed too. The privacy app's migrations create these indexes; the
system check reads this same list, and a test proves each one exists in the database.
"""

# (model label, table, columns, index name)
ADDED_INDEXES = (
    (
        "admin.LogEntry",
        "django_admin_log",
        ("content_type_id", "object_id"),
        "privacy_logentry_subject_idx",
    ),
    ("admin.LogEntry", "django_admin_log", ("action_time",), "privacy_logentry_time_idx"),
    (
        "account.EmailConfirmation",
        "account_emailconfirmation",
        ("sent",),
        "privacy_emailconf_sent_idx",
    ),
    (
        "axes.AccessAttempt",
        "axes_accessattempt",
        ("attempt_time",),
        "privacy_axes_attempt_time_idx",
    ),
    (
        "axes.AccessAttemptExpiration",
        "axes_accessattemptexpiration",
        ("expires_at",),
        "privacy_axes_expires_idx",
    ),
    (
        "axes.AccessFailureLog",
        "axes_accessfailurelog",
        ("attempt_time",),
        "privacy_axes_failure_time_idx",
    ),
    ("axes.AccessLog", "axes_accesslog", ("attempt_time",), "privacy_axes_log_time_idx"),
    (
        "usersessions.UserSession",
        "usersessions_usersession",
        ("last_seen_at",),
        "privacy_usersession_seen_idx",
    ),
)


def added_index_columns(label: str) -> set[str]:
    """Return the lookup column of every index we add to `label` (its last column)."""
    return {columns[-1] for model, _table, columns, _name in ADDED_INDEXES if model == label}
