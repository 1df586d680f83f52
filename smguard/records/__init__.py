"""Records: what smguard keeps in its database, and the rules for changing it.

Owns the database and its migrations (:mod:`.db`, :mod:`.tables`, ``migrations/``), the
:class:`~.store.Store` handle, the hash-chained audit log (:mod:`.audit`), the check log
(:mod:`.checks`), the publish ledger (:mod:`.publish`), incidents (:mod:`.incidents`) and
clarifications (:mod:`.clarify`).

May import: :mod:`smguard.types`, :mod:`smguard.errors`, :mod:`smguard.hookspecs`,
:mod:`smguard.manager`, :mod:`smguard.config` and :mod:`smguard.guard`.
"""
