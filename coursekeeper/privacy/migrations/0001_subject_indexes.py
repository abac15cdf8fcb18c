"""Index other apps' columns that subject and retention lookups use (see privacy/indexes.py)."""

from django.db import migrations

INDEXES = [
    ("django_admin_log", ("content_type_id", "object_id"), "privacy_logentry_subject_idx"),
    ("django_admin_log", ("action_time",), "privacy_logentry_time_idx"),
    ("account_emailconfirmation", ("sent",), "privacy_emailconf_sent_idx"),
    ("axes_accessattempt", ("attempt_time",), "privacy_axes_attempt_time_idx"),
    ("axes_accessattemptexpiration", ("expires_at",), "privacy_axes_expires_idx"),
    ("axes_accessfailurelog", ("attempt_time",), "privacy_axes_failure_time_idx"),
    ("axes_accesslog", ("attempt_time",), "privacy_axes_log_time_idx"),
    ("usersessions_usersession", ("last_seen_at",), "privacy_usersession_seen_idx"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("axes", "0010_accessattemptexpiration"),
        ("usersessions", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for table, columns, name in INDEXES
    ]
