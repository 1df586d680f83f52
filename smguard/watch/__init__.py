"""The account watch: what happened on the organisation's accounts, and what it means.

Owns the connector protocols and activity storage (:mod:`.activity`) and the detectors that turn
activity into incidents (:mod:`.detect`). Connectors and detectors themselves are plugins.

May import every layer below it: :mod:`smguard.config`, :mod:`smguard.guard`,
:mod:`smguard.records`, :mod:`smguard.security` and :mod:`smguard.alerting`.
"""
