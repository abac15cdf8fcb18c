"""Processing paths: where each purpose is carried out, registered, not remembered.

Design. A purpose (`purposes.py`) says why personal data is processed; a path says where: one
service, task or periodic job that processes for it (saving a learner's place in a video,
sending a receipt, counting a page view). Each path is declared once, in its app's
`privacy.py` next to the app's purposes and declarations, with

- the purpose it serves, and a short, translatable title the policy lists it by;
- `where`: the dotted names of the functions that carry it out (checked to exist);
- `exception`: the exception of GDPR Art. 18(2) it relies on to go on while the person's
  processing is restricted, or None: then a restriction stops it. Each exception is argued in
  a comment at the declaration. A path of a purpose whose basis is a legal obligation goes on
  because of that obligation, whether it names it or not;
- `rehearsal`: the dotted name of a function in the app's factories that builds what the path
  needs for one person and returns a `Rehearsal`, so that one generic test runs every path for
  a restricted (and an objecting) person without naming any of them.

The code that carries a path out asks the gate through it, `path.ask(person)`, before it writes,
sends or counts anything for that person, and refuses with its app's own translated error (or
skips, where nobody waits for an answer) when the answer is no; only the gate decides. Each
answer is logged at debug level under this module's logger, naming the person by pseudonym.

Emails. An email is a path of the purpose it serves, named after the template it is rendered
from (`email_path`): `messaging.services.queue_email` looks the template up and asks the gate
about the person the message is for, so no cause can send without one. Security notices and
the receipts a law requires name their exception; a reminder or a newsletter does not.

What the checks enforce (`privacy.checks`): every purpose has a path (privacy.E010), a path's
`where` resolves (E011), every path has a rehearsal (E012).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.functional import Promise

from coursekeeper.privacy.gate import Decision, DespiteRestriction, may_process
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import LegalBasis, Purpose

logger = logging.getLogger(__name__)

# The rehearsal every email path shares: queue one message of its template to the person.
EMAIL_REHEARSAL = "coursekeeper.messaging.factories.rehearse_email"


@dataclass(frozen=True)
class ProcessingPath:
    name: str
    purpose: Purpose
    title: Promise
    where: tuple[str, ...]
    exception: DespiteRestriction | None = None
    rehearsal: str = ""
    # For an email path: the template `queue_email` is called with.
    template: str = ""

    @property
    def goes_on_under_restriction(self) -> DespiteRestriction | None:
        """Return why the path goes on while processing is restricted, or None if it stops."""
        if self.exception is None and self.purpose.basis == LegalBasis.LEGAL_OBLIGATION:
            return DespiteRestriction.LEGAL_OBLIGATION
        return self.exception

    def ask(self, person: Person) -> Decision:
        """Ask the gate whether this path may run for `person` now."""
        decision = may_process(person, self.purpose, exception=self.exception)
        if logger.isEnabledFor(logging.DEBUG):
            from coursekeeper.security.services import pseudonym

            logger.debug(
                "processing path=%s person=%s decision=%s",
                self.name,
                pseudonym(person.user_id),
                decision.reason,
                extra={"processing_path": self.name, "decision": decision.reason},
            )
        return decision

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Rehearsal:
    """One path made ready to run for one person: what a generic test needs.

    `run` carries the path out once, as its callers do; `happened` answers whether its
    processing took place (the row written, the message queued, the lesson shown).
    """

    run: Callable[[], object]
    happened: Callable[[], bool]


_paths: dict[str, ProcessingPath] = {}
_by_template: dict[str, ProcessingPath] = {}


def processing_path(
    purpose: Purpose,
    *,
    name: str,
    title: Promise,
    where: tuple[str, ...] | str,
    rehearsal: str,
    exception: DespiteRestriction | None = None,
) -> ProcessingPath:
    """Register where `purpose` is carried out and return the path its code asks through."""
    path = ProcessingPath(
        name=name,
        purpose=purpose,
        title=title,
        where=(where,) if isinstance(where, str) else tuple(where),
        exception=exception,
        rehearsal=rehearsal,
    )
    return _register(path)


def email_path(
    purpose: Purpose,
    *,
    template: str,
    title: Promise,
    where: tuple[str, ...] | str,
    exception: DespiteRestriction | None = None,
) -> ProcessingPath:
    """Register an email cause: messages rendered from `template` serve `purpose`."""
    path = ProcessingPath(
        name=f"email:{template}",
        purpose=purpose,
        title=title,
        where=(where,) if isinstance(where, str) else tuple(where),
        exception=exception,
        rehearsal=EMAIL_REHEARSAL,
        template=template,
    )
    _register(path)
    _by_template[template] = path
    return path


def _register(path: ProcessingPath) -> ProcessingPath:
    existing = _paths.setdefault(path.name, path)
    if existing != path:
        raise ValueError(f"Processing path {path.name!r} is registered twice.")
    return path


def all_paths() -> Iterator[ProcessingPath]:
    """Yield every registered path, by name."""
    yield from sorted(_paths.values(), key=lambda path: path.name)


def paths_of(purpose_code: str) -> list[ProcessingPath]:
    """Return the paths registered for a purpose, by name."""
    return [path for path in all_paths() if path.purpose.code == purpose_code]


def path_named(name: str) -> ProcessingPath | None:
    return _paths.get(name)


def email_path_for(template: str) -> ProcessingPath:
    """Return the path of the email cause `template`; raise LookupError for an unknown one."""
    try:
        return _by_template[template]
    except KeyError:
        raise LookupError(
            f"No email path is registered for the template {template!r}; register it with "
            "coursekeeper.privacy.paths.email_path() in the app's privacy.py."
        ) from None


def resolve(dotted: str) -> object:
    """Import `a.b.c.Name.attribute`: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            target: object = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name and not module.startswith(error.name):
                raise  # the module exists but needs something that is missing
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(f"Nothing can be imported from {dotted!r}.")
