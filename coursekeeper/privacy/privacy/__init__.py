"""The privacy app's own privacy module: what its models and Django's and other apps' hold, why,
and where it is processed.

Imported by the autodiscovery like every app's `privacy`; importing the package registers
everything once, module by module, in the order the one module they came from had:
- `third_party`: Django's, allauth's, django-axes's and the task workers' models;
- `rights_records`: consents, restrictions, objections, erasure and export jobs, rights
  requests, the erasure ledger, recipients, disclosures and the notices to recipients;
- `accountability`: reports about minors, the sweep's log, the policy and its notices, the
  warnings before an erasure, and the log of staff views;
- `paths`: the app's processing and email paths and its erasure participants.
"""

# isort: off
# The order of the one module they came from, so that everything registers in the order it did.
from coursekeeper.privacy.privacy import third_party  # noqa: F401
from coursekeeper.privacy.privacy import rights_records  # noqa: F401
from coursekeeper.privacy.privacy import accountability  # noqa: F401
from coursekeeper.privacy.privacy.paths import (
    ERASE_AFTER_RELATIONSHIP,
    MINOR_REPORTS,
    STAFF_ACCESS_LOG,
)

# isort: on

__all__ = ["ERASE_AFTER_RELATIONSHIP", "MINOR_REPORTS", "STAFF_ACCESS_LOG"]
