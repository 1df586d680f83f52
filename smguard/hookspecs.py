"""smguard's plugin hooks (pluggy marker ``"smguard"``).

Registration hooks are called once when a :class:`~smguard.guard.engine.Guard` or the CLI
starts; they hand the plugin a ``register`` callable, and the core owns what gets registered.
Flow hooks are called for every post, event or incident change.

Rules are deliberately *not* run through a hook: pluggy stops a hook call at the first exception,
so the engine loops over registered rules itself and turns a crash into an ``integrity`` finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from sqlalchemy.orm import Session

    from smguard.config import Config
    from smguard.config.policy import PolicySettings
    from smguard.config.schema import Table
    from smguard.guard.rule import Rule
    from smguard.records.store import Store
    from smguard.records.tables import Incident
    from smguard.types import Finding, Post

hookspec = pluggy.HookspecMarker("smguard")


@hookspec
def register_settings(
    register: Callable[[str, type[Table]], None],
    register_sink_options: Callable[[str, type[Table]], None],
) -> None:
    """Declare the schemas of the ``smguard.toml`` tables your plugin reads.

    They are checked whenever the configuration meets the plugins (the guard, the records store,
    every CLI command), so a mistake stops smguard with one line naming the file and the key, and
    they join ``smguard schema config``. Keep the tables' module light to import.

    :param register: ``register(NAME, table)``: ``[plugins.NAME]`` is checked against ``table``,
        a :class:`smguard.config.schema.Table` subclass; read it back, typed, with
        ``config.plugin_settings(NAME, table)``.
    :param register_sink_options: ``register_sink_options(TYPE, table)``: the options of every
        ``[alerts.sinks.NAME]`` with ``type = TYPE`` (keys besides ``type`` and ``language``);
        the same table is the ``options`` of the sink type registered by ``register_alert_sinks``.
    """


@hookspec
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    """Register code rules: call ``register(rule)`` for each :class:`~smguard.guard.rule.Rule`.

    :param register: adds one rule to the guard; a duplicate rule id is an error.
    :param config: the loaded configuration; read your options with
        ``config.plugin_settings(name, table)`` (declared by ``register_settings``).
    """


@hookspec
def register_rule_packs(register: Callable[[str], None]) -> None:
    """Register rule packs: call ``register(path)`` with a YAML file or a folder of them.

    :param register: adds a pack file or folder; packs are validated when the guard starts.
    """


@hookspec
def register_connectors(register: Callable[[Any], None]) -> None:
    """Register account-activity connectors (Mastodon API, platform exports, feeds).

    :param register: adds one connector object.
    """


@hookspec
def register_detectors(register: Callable[[Any], None]) -> None:
    """Register detectors that turn account activity into incidents.

    :param register: adds one detector object.
    """


@hookspec
def register_alert_sinks(register: Callable[[Any], None]) -> None:
    """Register alert sink types (webhooks, chat tools) that incidents are delivered through.

    :param register: adds one sink type (:class:`smguard.alerting.AlertSinkType`): a ``name``,
        its ``options`` table (also declared by ``register_settings``) and ``send()``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``smguard`` CLI.

    :param cli: the root click group; call ``cli.add_command(...)``.
    """


@hookspec
def prepare_post(post: Post, config: Config) -> Mapping[str, Any] | None:
    """Enrich a post before it is checked; return field updates (e.g. ``{"links": (...)}``).

    Every implementation sees the post as submitted; updates are merged in hook-call order.

    :param post: the post as submitted.
    :param config: the loaded configuration.
    :return: a mapping of :class:`~smguard.types.Post` field names to new values, or ``None``.
    """


@hookspec(firstresult=True)
def decide(post: Post, findings: Sequence[Finding], policy: PolicySettings) -> str | None:
    """Turn findings into ``"allow"``, ``"review"`` or ``"block"`` (first non-None result wins).

    The built-in policy plugin is ``trylast``, so a plugin of yours can decide first and return
    ``None`` to leave the decision to the default.

    :param post: the checked post.
    :param findings: every finding of every rule, integrity findings included.
    :param policy: the effective policy for the post's account.
    """


@hookspec
def on_event(event: Any) -> None:
    """Observe every audit event smguard records (read-only; exceptions are logged, not raised).

    :param event: the audit event.
    """


@hookspec
def incident_changed(store: Store, session: Session, incident: Incident, event: str) -> None:
    """React to a change of an incident, inside the transaction that makes the change.

    Called after the incident row, its timeline note and its audit event are written, before the
    commit: what an implementation writes through ``session`` commits or rolls back with the
    incident. An exception is *not* swallowed: it rolls the change back and reaches the caller.
    The built-in ``webhooks`` plugin queues the incident's alerts here.

    :param store: the records store (configuration, database, audit log).
    :param session: the open transaction of the change.
    :param incident: the stored incident row (:class:`smguard.records.tables.Incident`); read it,
        do not change it.
    :param event: ``incident.opened``, ``incident.sighting``, ``incident.escalated:<severity>``
        (a sighting that raised the severity), ``incident.acknowledged``, ``incident.noted`` or
        ``incident.resolved``.
    """
