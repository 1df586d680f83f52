"""Records: what smguard keeps in its database, and the rules for changing it.

Owns the database and its migrations (:mod:`.db`, :mod:`.tables`, ``migrations/``,
:mod:`.upsert`), the :class:`~.store.Store` handle, the hash-chained audit log (:mod:`.audit`),
the check log (:mod:`.checks`), the publish ledger and the publishing tool's side of it
(:mod:`.ledger`), which checks need approval and which have it (:mod:`.approvals`), incidents
(:mod:`.incidents`), clarifications (:mod:`.clarify`) and the refusals of all of these, in English
and Indonesian (:mod:`.errors`).

Incidents tell plugins of every change through the ``incident_changed`` hook, in the change's
own transaction; that is how alerts are queued without records importing alerting.

May import: :mod:`smguard.types`, :mod:`smguard.errors`, :mod:`smguard.hookspecs`,
:mod:`smguard.manager`, :mod:`smguard.config` and :mod:`smguard.guard`.
"""
