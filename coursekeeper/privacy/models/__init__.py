"""What the privacy gate reads (consent, restriction, objection) and the provider's own details.

A person here is an account or, for someone without one (a newsletter subscriber, a visitor who
wrote to us), a normalised email address; every row names one of the two, both indexed.

Where each model lives (import them from here, `coursekeeper.privacy.models`):
- `base`: PersonReference -- the abstract row about an account or an email address;
- `consents`: ConsentText, Consent, ServiceEnd, Restriction, Objection -- what the gate reads;
- `provider`: ProviderSettings -- the controller's details, the teaching figures' group size and
  the owner's marketing and statistics tags;
- `requests`: RightsRequest, RightsRequestEvent -- rights requests and their history;
- `recipients`: Recipient, Disclosure -- who receives personal data, and disclosures to them;
- `jobs`: ErasureLedgerEntry, ErasureJob, ExportJob, SweepLog -- erasure, export and the sweep;
- `policy`: PolicyVersion, PolicyNotice -- published policy versions and their notices.
The access layer, the Art. 19 notices, the reports of minors' accounts and the relationship
clock's warnings keep their models in their own packages, imported at the end.
"""

# Django registers models in the order they are imported; this order keeps the order they had
# in the single models.py (only the erasure ledger's entry now comes after the disclosures).
# isort: off
from coursekeeper.privacy.models.base import PersonReference
from coursekeeper.privacy.models.consents import (
    Consent,
    ConsentText,
    Objection,
    Restriction,
    ServiceEnd,
)
from coursekeeper.privacy.models.provider import ProviderSettings
from coursekeeper.privacy.models.requests import RightsRequest, RightsRequestEvent
from coursekeeper.privacy.models.recipients import Disclosure, Recipient
from coursekeeper.privacy.models.jobs import ErasureJob, ErasureLedgerEntry, ExportJob, SweepLog
from coursekeeper.privacy.models.policy import PolicyNotice, PolicyVersion

# The access layer, the Art. 19 notices and the reports of minors' accounts keep their models in
# their own packages; Django finds them through this module. They come after PersonReference,
# which the access log builds on.
from coursekeeper.privacy.access.models import StaffAccess
from coursekeeper.privacy.minors.models import MinorReport, ReporterAddress
from coursekeeper.privacy.recipient_notices.models import RecipientNotice
from coursekeeper.privacy.relationship.models import RelationshipWarning

# isort: on

__all__ = [
    "Consent",
    "ConsentText",
    "Disclosure",
    "ErasureJob",
    "ErasureLedgerEntry",
    "ExportJob",
    "MinorReport",
    "Objection",
    "PersonReference",
    "PolicyNotice",
    "PolicyVersion",
    "ProviderSettings",
    "Recipient",
    "RecipientNotice",
    "RelationshipWarning",
    "ReporterAddress",
    "Restriction",
    "RightsRequest",
    "RightsRequestEvent",
    "ServiceEnd",
    "StaffAccess",
    "SweepLog",
]
