"""The personal-data declaration: what every model holds about whom, why, for how long, and
what erasure does to it.

Each app's `privacy.py` calls `declare(...)` once per model. Everything else — the system checks,
`privacy_map`, the export and erasure walks, the retention sweep, the register, the policy —
reads the `registry` built here, so none of them can drift from what is declared.

A declaration compiles to two querysets, both answered from indexed columns:
- `rows_for(person)`: the rows that are about this person;
- `expired(as_of)`: the rows whose retention has run out.
Nothing is ever found by scanning text.

What lives where (import everything from this package, not from its modules):
- `categories`: what a field holds (`Category`, `NOT_PERSONAL`);
- `subjects`: whose data a row is (`Account`, `Identifier`, `Linked`, `Nobody`, ...);
- `retention`: how long it is kept (`Event`, `After`, `Hold`, `AfterRelationshipEnds`, ...);
- `erasure`: what an erasure does to it (`DELETE`, `Anonymise`, `HOLD`);
- `reading`: how it reads in the person's copy of their data (`Reading`);
- `declaration`: the `Declaration`, the `registry`, `declare` and `declare_not_personal`.
"""

from coursekeeper.privacy.declarations.categories import (
    NOT_PERSONAL,
    Category,
    FieldSpec,
    NotPersonal,
)
from coursekeeper.privacy.declarations.declaration import (
    Declaration,
    FactoryKwargs,
    Registry,
    declare,
    declare_not_personal,
    registry,
)
from coursekeeper.privacy.declarations.erasure import (
    DELETE,
    HOLD,
    Anonymise,
    Delete,
    Erasure,
    KeepHeld,
)
from coursekeeper.privacy.declarations.reading import Reading
from coursekeeper.privacy.declarations.retention import (
    After,
    AfterRelationshipEnds,
    Event,
    Hold,
    HoldReason,
    Retention,
    WhileAccountExists,
    add_years,
    provider_rule_country,
    rule_country,
)
from coursekeeper.privacy.declarations.subjects import (
    Account,
    AccountOrEmail,
    Generic,
    Identifier,
    KeyedAccountHash,
    Linked,
    Nobody,
    Owner,
    Participants,
    Subject,
    TheAccount,
)

__all__ = [
    "DELETE",
    "HOLD",
    "NOT_PERSONAL",
    "Account",
    "AccountOrEmail",
    "After",
    "AfterRelationshipEnds",
    "Anonymise",
    "Category",
    "Declaration",
    "Delete",
    "Erasure",
    "Event",
    "FactoryKwargs",
    "FieldSpec",
    "Generic",
    "Hold",
    "HoldReason",
    "Identifier",
    "KeepHeld",
    "KeyedAccountHash",
    "Linked",
    "Nobody",
    "NotPersonal",
    "Owner",
    "Participants",
    "Reading",
    "Registry",
    "Retention",
    "Subject",
    "TheAccount",
    "WhileAccountExists",
    "add_years",
    "declare",
    "declare_not_personal",
    "provider_rule_country",
    "registry",
    "rule_country",
]
