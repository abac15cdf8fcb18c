"""The privacy app's models (moved here from models.py unchanged; split by concern next)."""

from coursekeeper.privacy.models.consents import *  # noqa: F403

# isort: split
# The access layer, the Art. 19 notices and the reports of minors' accounts keep their models in
# their own packages; Django finds them through this module.
from coursekeeper.privacy.access.models import StaffAccess  # noqa: F401
from coursekeeper.privacy.minors.models import MinorReport, ReporterAddress  # noqa: F401
from coursekeeper.privacy.recipient_notices.models import RecipientNotice  # noqa: F401
from coursekeeper.privacy.relationship.models import RelationshipWarning  # noqa: F401
