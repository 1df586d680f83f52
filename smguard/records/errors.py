"""The refusals of the records layer, each with its message in English and Indonesian.

A :class:`RecordError` says why a change to a record (an incident, a clarification) was refused
and what to do instead; ``error.text(lang)`` is what the CLI shows. The whole tree of smguard's
errors is drawn in :mod:`smguard.errors`.
"""

from __future__ import annotations

from smguard.errors import InputError, SmguardError

__all__ = [
    "ClarificationError",
    "ClarificationNotFound",
    "IncidentNotFound",
    "InvalidTransition",
    "RecordError",
    "RecordInputError",
]


class RecordError(SmguardError):
    """A refused change to a record, with its message in English and Indonesian."""


class RecordInputError(RecordError, InputError):
    """Something a person must supply is missing (a name, a reason, a note's text)."""


class IncidentNotFound(RecordError):
    """No incident has this number."""

    def __init__(self, incident_id: int) -> None:
        self.incident_id = incident_id
        super().__init__(
            f"no incident #{incident_id} (see `smguard incidents list`)",
            f"insiden #{incident_id} tidak ada (lihat `smguard incidents list`)",
        )


class InvalidTransition(RecordError):
    """The incident's status does not allow this step."""


class ClarificationError(RecordError):
    """A clarification step was refused or a template is unusable."""


class ClarificationNotFound(ClarificationError):
    """No clarification has this number."""

    def __init__(self, clarification_id: int) -> None:
        self.clarification_id = clarification_id
        super().__init__(
            f"no clarification #{clarification_id} (see `smguard clarify list`)",
            f"klarifikasi #{clarification_id} tidak ada (lihat `smguard clarify list`)",
        )
