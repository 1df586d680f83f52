"""Incidents: something went wrong on an account, and the team works it to the end.

The public API is this package (its ``__all__``); the modules behind it do one job each:

* :mod:`.model` — the statuses, the built-in kinds, the :class:`Incident` and :class:`Note`
  snapshots callers see;
* :mod:`.opening` — :func:`open_incident`, with dedupe: the same cause again is a *sighting* of
  the unresolved incident, not a new one (the database enforces it);
* :mod:`.lifecycle` — :func:`acknowledge`, :func:`add_note`, :func:`resolve`;
* :mod:`.listing` — :func:`get` and :func:`list_incidents`;
* :mod:`.rows` — what every step shares: the actor, the write lock, timeline notes, snapshots.

Every step records who and when, a note on the incident's timeline and an audit event
(``incident.opened`` / ``.sighting`` / ``.noted`` / ``.acknowledged`` / ``.resolved``) in one
transaction, and calls the ``incident_changed`` plugin hook in that same transaction: the built-in
``webhooks`` plugin queues the incident's alerts there (:mod:`smguard.alerting`), so an incident
never exists without its alerts. A refused step raises a
:class:`~smguard.records.errors.RecordError` that says why, in English and Indonesian.

May import: the records' own modules (tables, errors, upsert), :mod:`smguard.types` and
:mod:`smguard.errors`.
"""

from __future__ import annotations

from smguard.records.errors import (
    IncidentNotFound,
    InvalidTransition,
    RecordError,
    RecordInputError,
)
from smguard.records.incidents.lifecycle import acknowledge, add_note, resolve
from smguard.records.incidents.listing import get, list_incidents
from smguard.records.incidents.model import KINDS, STATUSES, Incident, Note, kind_description
from smguard.records.incidents.opening import open_incident, open_incident_in
from smguard.records.incidents.rows import lock_for_write, require_actor

__all__ = [
    "KINDS",
    "STATUSES",
    "Incident",
    "IncidentNotFound",
    "InvalidTransition",
    "Note",
    "RecordError",
    "RecordInputError",
    "acknowledge",
    "add_note",
    "get",
    "kind_description",
    "list_incidents",
    "lock_for_write",
    "open_incident",
    "open_incident_in",
    "require_actor",
    "resolve",
]
