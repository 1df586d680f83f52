"""Every section of smguard.toml is checked when the configuration is loaded — the plugins' own
tables and the alert sinks' options too, as soon as the plugins are known — with one line naming
the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner

from smguard import hookimpl, hookspecs
from smguard.cli.main import cli
from smguard.config import Config
from smguard.config.plugins import check_settings, declared_settings
from smguard.config.schema import Table
from smguard.errors import ConfigError, PluginError
from smguard.manager import get_plugin_manager

FILE = Path("smguard.toml")
SLACK = {"type": "slack", "url_env": "SLACK_URL"}
SOC = {"type": "json", "url_env": "SOC_URL", "secret_env": "SOC_KEY"}

CASES: list[tuple[dict[str, Any], str]] = [
    ({"alerts": {"max_attempts": 0}}, "alerts.max_attempts: must be a whole number from 1 to 100"),
    ({"alerts": {"timeout_s": 30, "lease_s": 60}}, "alerts.lease_s: must be at least 4 × "),
    ({"alerts": {"retries": 3}}, "alerts.retries: unknown setting (known: allow_private_targets"),
    (
        {"alerts": {"sinks": {"desk": {**SLACK, "language": "fr"}}}},
        "alerts.sinks.desk.language: 'fr' is not a language (one of en, id)",
    ),
    (
        {"alerts": {"sinks": {"desk": {"type": "slack", "url_env": "https://hooks.example"}}}},
        "alerts.sinks.desk.url_env: must be the name of an environment variable",
    ),
    (
        {"alerts": {"sinks": {"desk": SLACK}, "routes": [{"sinks": "desk", "kinds": [7]}]}},
        "alerts.routes[0].kinds[0]: must be a non-empty string (got 7)",
    ),
    (
        {"alerts": {"routes": [{"sinks": ["nowhere"]}]}},
        "alerts.routes[0].sinks: no sink named 'nowhere' (known: none configured)",
    ),
    (
        {"alerts": {"sinks": {"desk": {**SLACK, "colour": "red"}}}},
        "alerts.sinks.desk.colour: unknown setting for a slack sink (known: language, type, url_",
    ),
    (
        {"alerts": {"sinks": {"tg": {"type": "telegram", "token_env": "T", "chat_id": "my chat"}}}},
        'alerts.sinks.tg.chat_id: must be a chat number (e.g. "-1001234567890") or "@channel"',
    ),
    (
        {"alerts": {"sinks": {"soc": {**SOC, "include_evidence": "no"}}}},
        "alerts.sinks.soc.include_evidence: must be true or false (got 'no')",
    ),
    ({"alerts": {"sinks": {"desk": {"type": "teams"}}}}, "alerts.sinks.desk.type: must be one of"),
    ({"detectors": {"since": "yesterday"}}, "detectors.since: must be a time with its zone"),
    ({"detectors": {"disable": 14}}, "detectors.disable: must be a string or a list of strings"),
    ({"detectors": {"SMG-DET-020": {"level": "loud"}}}, "detectors.SMG-DET-020.level: 'loud'"),
    ({"detectors": {"smg-det-020": {}}}, "detectors.smg-det-020: unknown setting (known: disable"),
    ({"clarify": {"contact": 5}}, "clarify.contact: must be a non-empty string (got 5)"),
    ({"clarify": {"accounts": {"kem_x": {"handel": "@x"}}}}, "clarify.accounts.kem_x.handel: "),
    ({"storage": {"store_text": "yes"}}, "storage.store_text: must be true or false (got 'yes')"),
    ({"incidents": {"open_on": "always"}}, "incidents.open_on: 'always' is not a decision"),
    ({"plugins": {"links": {"deny": ["not a domain"]}}}, "plugins.links.deny: 'not a domain'"),
    ({"plugins": {"pii": {"regions": ["XX"]}}}, "plugins.pii.regions: 'XX' is not a region code"),
    ({"plugins": {"secrets": {"min_entropy": 0}}}, "plugins.secrets.min_entropy: must be a number"),
    ({"plugins": {"spam": {"max_links": 0}}}, "plugins.spam.max_links: must be a whole number"),
    ({"plugins": {"tone": {"caps_run": 1}}}, "plugins.tone.caps_run: must be a whole number of at"),
    ({"plugins": {"timing": {"kinds": "tweet"}}}, "plugins.timing.kinds: must be a list of post"),
    (
        {"plugins": {"toxicity": {"engine": "gpu"}}},
        "plugins.toxicity.engine: 'gpu' is not an engine",
    ),
    ({"plugins": {"link": {"allow": []}}}, "plugins.link: no plugin named 'link' is installed"),
]


@pytest.mark.parametrize(("data", "message"), CASES, ids=[m.split(":")[0] for _, m in CASES])
def test_every_section_names_the_file_and_the_key_in_one_line(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        config = Config.from_dict(data, path=FILE)
        check_settings(get_plugin_manager(config.disabled_plugins), config)
    text = str(info.value)
    assert text.startswith(f"{FILE}: "), text
    assert message in text, text
    assert "\n" not in text


def test_a_typo_in_a_plugin_name_suggests_the_plugin() -> None:
    config = Config.from_dict({"plugins": {"link": {}}})
    with pytest.raises(ConfigError, match=r"did you mean \[plugins\.links\]\?"):
        check_settings(get_plugin_manager(), config)


def test_a_disabled_plugins_table_is_not_checked() -> None:
    config = Config.from_dict({"plugins": {"disable": ["links"], "links": {"alow": 1}}})
    check_settings(get_plugin_manager(config.disabled_plugins), config)


def test_a_sink_type_a_disabled_plugin_may_add_is_left_for_later() -> None:
    config = Config.from_dict({"alerts": {"sinks": {"x": {"type": "teams"}}}})
    check_settings(get_plugin_manager(["webhooks"]), config)


def test_checked_tables_are_typed_and_converted_once() -> None:
    from smguard.plugins.links.settings import LinkTable

    config = Config.from_dict({"plugins": {"links": {"own_domains": "kemkes.go.id"}}})
    check_settings(get_plugin_manager(), config)
    table = config.plugin_settings("links", LinkTable)
    assert isinstance(table, LinkTable) and table.own_domains == "kemkes.go.id"
    assert config.plugin_settings("links", LinkTable) is table


def test_the_sections_are_typed() -> None:
    config = Config.from_dict(
        {
            "storage": {"store_text": True},
            "incidents": {"open_on": "Review"},
            "alerts": {"sinks": {"desk": SLACK}, "routes": [{"sinks": "desk"}]},
            "detectors": {"since": "2026-06-01T00:00:00+07:00", "disable": ["smg-det-014"]},
            "clarify": {"accounts": {"kem_x": {"handle": " @KemX "}}},
        }
    )
    assert config.storage.store_text is True and config.incidents.open_on == "Review"
    assert config.alerts.sinks["desk"].options == {"url_env": "SLACK_URL"}
    assert config.alerts.lease == 120.0
    assert config.detectors.disable == {"SMG-DET-014"}
    assert config.detectors.since is not None and config.detectors.since.utcoffset() is not None
    assert config.clarify.for_account("kem_x")["account"] == "@KemX"


# -- what plugins declare ----------------------------------------------------------------------


class _Options(Table, frozen=True):
    level: int = 1


def _manager(*plugins: object) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    for n, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{n}")
    return pm


class _Declares:
    def __init__(self, name: str, table: Any) -> None:
        self.name, self.table = name, table

    @hookimpl
    def register_settings(self, register: Any) -> None:
        register(self.name, self.table)


def test_a_plugin_declares_a_table_and_a_typo_in_it_is_an_error() -> None:
    pm = _manager(_Declares("mine", _Options))
    assert declared_settings(pm).plugins == {"mine": _Options}
    with pytest.raises(ConfigError, match=r"^configuration: plugins\.mine\.levl: unknown setting"):
        check_settings(pm, Config.from_dict({"plugins": {"mine": {"levl": 2}}}))


def test_a_table_a_plugin_registered_by_hand_may_read_is_left_alone() -> None:
    # A program (or a test) that registers a plugin object itself names it as it likes.
    check_settings(_manager(_Declares("mine", _Options)), Config.from_dict({"plugins": {"x": {}}}))


@pytest.mark.parametrize(
    ("plugins", "problem"),
    [
        ((_Declares("mine", dict),), "is not a smguard.config.schema.Table"),
        ((_Declares("", _Options),), "as the name of plugin"),
        ((_Declares("mine", _Options), _Declares("mine", Table)), "two plugins declare"),
    ],
)
def test_what_a_plugin_declares_is_checked(plugins: tuple[object, ...], problem: str) -> None:
    with pytest.raises(PluginError, match=problem):
        declared_settings(_manager(*plugins))


def test_a_sink_type_must_declare_its_options() -> None:
    from smguard.alerting import sink_types

    class Teams:
        name = "teams"
        options = _Options

        def send(self, sink: Any, alert: Any, http: Any) -> None:
            raise NotImplementedError

        @hookimpl
        def register_alert_sinks(self, register: Any) -> None:
            register(self)

    with pytest.raises(PluginError, match="must also declare its options table"):
        sink_types(_manager(Teams()))

    class Declared(Teams):
        @hookimpl
        def register_settings(self, register_sink_options: Any) -> None:
            register_sink_options("teams", _Options)

    assert set(sink_types(_manager(Declared()))) == {"teams"}


# -- where the configuration meets the plugins -------------------------------------------------


def _check(tmp_path: Path, toml: str) -> Any:
    config = tmp_path / "smguard.toml"
    config.write_text(toml, encoding="utf-8")
    return CliRunner().invoke(cli, ["--config", str(config), "check", "terima kasih kak"])


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[alerts]\nmax_attempts = 'three'\n", "alerts.max_attempts: must be a whole number"),
        ("[alerts.sinks.desk]\ntype = 'slack'\n", "alerts.sinks.desk.url_env: is required"),
        ("[plugins.link]\nallow = ['kemkes.go.id']\n", "plugins.link: no plugin named 'link'"),
        ("[plugins.links]\nalow = ['kemkes.go.id']\n", "plugins.links.alow: unknown setting"),
    ],
)
def test_smguard_check_refuses_a_broken_file_with_exit_3(
    tmp_path: Path, toml: str, message: str
) -> None:
    result = _check(tmp_path, toml)
    assert result.exit_code == 3, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {tmp_path / 'smguard.toml'}: {message}"), line


def test_the_guard_checks_the_plugins_tables() -> None:
    from smguard import Guard

    with pytest.raises(ConfigError, match=r"^configuration: plugins\.pii\.allow_emails: 'humas'"):
        Guard(Config.from_dict({"plugins": {"pii": {"allow_emails": ["humas"]}}}))


def test_the_store_checks_the_plugins_tables(tmp_path: Path) -> None:
    from smguard.records.db import Database
    from smguard.records.store import Store

    db = Database(f"sqlite:///{tmp_path / 'smguard.db'}", migrate=False)
    store = Store(Config.from_dict({"plugins": {"spam": {"max_tags": 3}}}), db)
    with pytest.raises(ConfigError, match=r"plugins\.spam\.max_tags: unknown setting"):
        _ = store.pm
    db.dispose()
