"""Configuration: defaults, smguard.toml, environment overrides, errors that name the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.types import Severity


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "smguard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = Config.load()
    assert config.path is None
    assert config.policy.block_at == Severity.HIGH
    assert config.guard.language == "auto"
    account = config.account("anything")
    assert account.timezone == "Asia/Jakarta"
    assert account.quiet_hours == (time(0, 0), time(5, 0))


def test_file_in_current_folder_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[guard]\nui_language = "id"\n')
    monkeypatch.chdir(tmp_path)
    assert Config.load().guard.ui_language == "id"


def test_full_file(tmp_path: Path) -> None:
    (tmp_path / "my-rules").mkdir()
    path = write(
        tmp_path,
        """
[guard]
language = "id"
timezone = "Asia/Makassar"

[plugins]
disable = ["toxicity"]

[plugins.links]
allow = ["kemkes.go.id"]

[rules]
paths = ["my-rules"]
disable = ["SMG-EN-PROF-001"]

[policy]
block_at = "critical"
[policy.categories.hate]
block_at = "medium"

[accounts.kemenkes]
platform = "x"
timezone = "Asia/Jayapura"
quiet_hours = "22:00-05:00"
prime_time = ["07:00", "19:30"]
own_domains = ["Kemkes.go.id"]
[accounts.kemenkes.policy]
review_at = "low"
""",
    )
    config = Config.load(path)
    assert config.guard.language == "id"
    assert config.disabled_plugins == {"toxicity"}
    assert config.plugin("links") == {"allow": ["kemkes.go.id"]}
    assert config.plugin("pii") == {}
    assert config.rule_paths == ((tmp_path / "my-rules").resolve(),)
    assert config.disabled_rules == {"SMG-EN-PROF-001"}
    assert config.policy.block_at == Severity.CRITICAL
    assert config.policy.categories["hate"].block_at == Severity.MEDIUM
    acct = config.account("kemenkes")
    assert acct.timezone == "Asia/Jayapura"
    assert acct.quiet_hours == (time(22, 0), time(5, 0))
    assert acct.own_domains == ("kemkes.go.id",)
    # account policy inherits the global one and overrides one key
    assert acct.policy.block_at == Severity.CRITICAL
    assert acct.policy.review_at == Severity.LOW
    # unknown accounts get the global time zone
    assert config.account("other").timezone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[polcy]\nblock_at = 'high'\n", "polcy: unknown section"),
        ("[policy]\nblock_at = 'hgh'\n", "policy.block_at: 'hgh' is not a severity"),
        ("[policy]\nblok_at = 'high'\n", "policy.blok_at: unknown setting"),
        ("[policy.categories.hat]\nblock_at = 'high'\n", "policy.categories.hat: unknown category"),
        (
            "[guard]\nlanguage = 'fr'\n",
            "guard.language: 'fr' is not a language (one of auto, en, id)",
        ),
        ("[guard]\ntimezone = 'Mars/Base'\n", "guard.timezone: unknown time zone 'Mars/Base'"),
        ("[accounts.a]\nquiet_hours = '0-5'\n", "accounts.a.quiet_hours: '0' is not a time"),
        ("[accounts.a]\nprime_time = ['7pm']\n", "accounts.a.prime_time: '7pm' is not a time"),
        ("[rules]\npaths = ['nowhere']\n", "rules.paths: folder or file not found"),
        ("[plugins]\ndisable = 'x'\nlinks = 3\n", "plugins.links: must be a table"),
        ("[guard\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        Config.load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[policy]\nblock_at = 'high'\n")
    env = {
        "SMGUARD_POLICY__BLOCK_AT": "medium",
        "SMGUARD_GUARD__LANGUAGE_CONFIDENCE": "0.5",
        "SMGUARD_PLUGINS__DISABLE": "toxicity,links",
        "SMGUARD_ACCOUNTS__BANK__TIMEZONE": "Asia/Makassar",
    }
    config = Config.load(path, env=env)
    assert config.policy.block_at == Severity.MEDIUM
    assert config.guard.language_confidence == 0.5
    assert config.disabled_plugins == {"toxicity", "links"}
    assert config.account("bank").timezone == "Asia/Makassar"


def test_bad_env_override_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"policy\.block_at"):
        Config.load(env={"SMGUARD_POLICY__BLOCK_AT": "nope"})


def test_smguard_config_env_and_missing_files(tmp_path: Path) -> None:
    path = write(tmp_path, "[guard]\nui_language = 'id'\n")
    assert Config.load(env={"SMGUARD_CONFIG": str(path)}).guard.ui_language == "id"
    with pytest.raises(ConfigError, match="SMGUARD_CONFIG points to a missing file"):
        Config.load(env={"SMGUARD_CONFIG": str(tmp_path / "nope.toml")})
    with pytest.raises(ConfigError, match="config file not found"):
        Config.load(tmp_path / "nope.toml")
