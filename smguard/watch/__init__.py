"""The account watch: what happened on the organisation's accounts, and what it means.

Its modules, lowest first (each imports only modules listed before it):

* :mod:`.connectors` — the connector protocols and registry, export files; :mod:`.events` —
  event storage and history, with :mod:`.engagement` (posts' likes, reposts and replies);
  :mod:`.cursors` — where polling left off, and its lease;
* :mod:`.detectors` — the :class:`~.detectors.Detector` base class and its detections;
  :mod:`.posttext` and :mod:`.context` — what a detector may consult (history, the publish
  ledger, the guard, the vault);
* the YAML detector language: :mod:`.yamlmatch` (conditions), :mod:`.yamlexamples`,
  :mod:`.yamlspec` (the file format) and :mod:`.yamldetector`; :mod:`.detectorset` — which
  detectors run, tuned by ``[detectors]``;
* :mod:`.evidence` and :mod:`.pipeline` — from stored events to incidents;
* :mod:`.ingest` (``smguard ingest``) and :mod:`.poll` (``smguard watch``) on top.

Connectors and the built-in detectors themselves are plugins, registered through hooks; the watch
never imports :mod:`smguard.plugins`. May import every layer below it: :mod:`smguard.config`,
:mod:`smguard.guard`, :mod:`smguard.records`, :mod:`smguard.security` and
:mod:`smguard.alerting`.
"""
