"""The erasure ledger: keyed hashes of erased people, so a restored backup cannot bring them back.

What is hashed is the account as it existed — its id together with the moment it was created —
never an email address alone. So a restore of an older backup, which brings back the same row,
matches its entry and is erased again, while someone who signs up again with the same address
gets a new account that matches nothing and starts fresh.

The key (settings.ERASURE_LEDGER_KEY) is kept outside the database; without it the table names
nobody. Entries are kept only as long as backups are (settings.BACKUP_RETENTION_DAYS): after
that no backup can hold the person any more.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def account_digest(user_id: int, date_joined) -> str:
    """Return the keyed hash that identifies one account as it was created."""
    message = f"account:{user_id}:{date_joined.isoformat()}".encode()
    return hmac.new(settings.ERASURE_LEDGER_KEY.encode(), message, hashlib.sha256).hexdigest()
