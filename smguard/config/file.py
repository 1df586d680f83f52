"""The whole of ``smguard.toml`` as one schema: what ``smguard schema config`` prints.

Loading does not convert the file in one go (a table of named tables is checked entry by entry,
so errors can name the entry); this struct lists the sections and gives the JSON Schema. The
plugins' tables and the sink types' options join it when they are known
(:func:`config_schema` with what the plugins declared).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from smguard.config.accounts import AccountTable
from smguard.config.alerts import SINK_KEYS, AlertsTable
from smguard.config.clarify import ClarifyTable
from smguard.config.core import (
    GuardSettings,
    IncidentsTable,
    PluginsTable,
    RulesTable,
    StorageTable,
    WatchSettings,
)
from smguard.config.detectors import DETECTOR_ID, DetectorsTable, DetectorTuning
from smguard.config.policy import PolicyTable
from smguard.config.reports import CalendarSettings, PlanSettings, ReportSettings
from smguard.config.schema import Table, schema_document
from smguard.config.security import (
    AdminTable,
    ApprovalsTable,
    OrganisationTable,
    SecurityTable,
)
from smguard.config.server import ServerSettings

__all__ = ["ConfigFile", "config_schema"]


class ConfigFile(Table, frozen=True):
    """smguard.toml: every section is optional."""

    unknown_key = "unknown section"

    guard: GuardSettings | None = None
    plugins: PluginsTable | None = None
    rules: RulesTable | None = None
    policy: PolicyTable | None = None
    accounts: dict[str, AccountTable] | None = None
    storage: StorageTable | None = None
    incidents: IncidentsTable | None = None
    alerts: AlertsTable | None = None
    clarify: ClarifyTable | None = None
    organisation: OrganisationTable | None = None
    security: SecurityTable | None = None
    approvals: ApprovalsTable | None = None
    admins: dict[str, AdminTable] | None = None
    detectors: DetectorsTable | None = None
    watch: WatchSettings | None = None
    reports: ReportSettings | None = None
    calendar: CalendarSettings | None = None
    plan: PlanSettings | None = None
    server: ServerSettings | None = None


def config_schema(
    plugins: Mapping[str, type[Table]] | None = None,
    sink_options: Mapping[str, type[Table]] | None = None,
) -> dict[str, Any]:
    """The JSON Schema of ``smguard.toml`` (as parsed from TOML).

    ``plugins`` (plugin name → table) and ``sink_options`` (sink type → table) are what the
    plugins declared (:func:`smguard.config.plugins.declared_settings`); without them a
    ``[plugins.NAME]`` table and a sink's options may hold anything.
    """
    plugins, sink_options = dict(plugins or {}), dict(sink_options or {})
    extra = [*plugins.values(), *sink_options.values(), DetectorTuning]
    (root, *refs), defs = msgspec.json.schema_components(
        [ConfigFile, *extra], ref_template="#/$defs/{name}"
    )
    ref = dict(zip(extra, refs, strict=True))
    defs["PluginsTable"]["properties"].update({name: ref[t] for name, t in plugins.items()})
    detectors = defs["DetectorsTable"]
    detectors["patternProperties"] = {DETECTOR_ID.pattern: ref[DetectorTuning]}
    detectors["additionalProperties"] = False

    def definition(table: type[Table]) -> dict[str, Any]:
        found: dict[str, Any] = defs[ref[table]["$ref"].rsplit("/", 1)[1]]
        return found

    _sink_schema(defs["SinkTable"], {n: definition(t) for n, t in sink_options.items()})
    schema = schema_document({**root, "$defs": defs})
    schema["title"] = "smguard.toml"
    return schema


def _sink_schema(sink: dict[str, Any], options: Mapping[str, dict[str, Any]]) -> None:
    """As written, a sink's options sit beside ``type`` and ``language``, not under ``options``;
    each sink type's own keys apply when ``type`` names it."""
    del sink["properties"]["options"]
    sink.pop("additionalProperties", None)
    cases = []
    for name, table in sorted(options.items()):
        keys = {**table["properties"], **{k: sink["properties"][k] for k in SINK_KEYS}}
        then = {"properties": keys, "required": table.get("required", []),
                "additionalProperties": False}  # fmt: skip
        cases.append({"if": {"properties": {"type": {"const": name}}}, "then": then})
    if cases:
        sink["allOf"] = cases
