"""The JSON Schemas smguard publishes (`smguard schema config|post|verdict`) are valid, describe
what smguard accepts and prints, and accept every example in the docs."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smguard.cli.main import cli
from smguard.config import Config
from smguard.config.file import ConfigFile, config_schema
from smguard.config.policy import CategoriesTable
from smguard.contract import PostInput, VerdictOutput, schema
from smguard.types import CATEGORIES, Post

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([*ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md"])


def blocks(language: str, docs: list[Path] = DOCS) -> list[tuple[str, str]]:
    found = []
    for doc in docs:
        for n, match in enumerate(re.finditer(rf"```{language}\n(.*?)```", doc.read_text(), re.S)):
            found.append((f"{doc.name}#{n + 1}", match.group(1)))
    return found


def validator(document: dict[str, Any]) -> Any:
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


@pytest.mark.parametrize("what", ["config", "post", "verdict"])
def test_the_command_prints_a_valid_schema(what: str) -> None:
    result = CliRunner().invoke(cli, ["schema", what])
    assert result.exit_code == 0, result.output
    validator(json.loads(result.output))


TOML_EXAMPLES = [
    (name, text) for name, text in blocks("toml") if not text.lstrip().startswith("[build-system]")
]


@pytest.mark.parametrize(("name", "text"), TOML_EXAMPLES, ids=[n for n, _ in TOML_EXAMPLES])
def test_every_configuration_example_in_the_docs_fits_the_schema(name: str, text: str) -> None:
    data = tomllib.loads(text)
    errors = sorted(validator(config_schema()).iter_errors(data), key=str)
    assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def _full_schema() -> dict[str, Any]:
    """``smguard schema config``: with the tables the installed plugins declare."""
    result = CliRunner().invoke(cli, ["schema", "config"])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.output)
    return schema


def test_every_configuration_example_in_the_docs_fits_the_plugins_tables_too() -> None:
    check = validator(_full_schema())
    for name, text in TOML_EXAMPLES:
        errors = sorted(check.iter_errors(tomllib.loads(text)), key=str)
        assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_the_full_schema_knows_the_plugins_tables_and_the_sink_types() -> None:
    check = validator(_full_schema())
    slack = {"type": "slack", "url_env": "SLACK_URL"}
    assert not list(check.iter_errors({"alerts": {"sinks": {"desk": slack}}}))
    for bad in (
        {"plugins": {"links": {"alow": []}}},
        {"plugins": {"spam": {"max_links": 0}}},
        {"plugins": {"toxicity": {"engine": "gpu"}}},
        {"alerts": {"sinks": {"desk": {**slack, "colour": "red"}}}},
        {"alerts": {"sinks": {"tg": {"type": "telegram", "chat_id": "-100"}}}},
        {"alerts": {"max_attempts": 0}},
        {"detectors": {"SMG-DET-020": {"level": "loud"}}},
        {"detectors": {"nonsense": 1}},
        {"clarify": {"sender": "x"}},
    ):
        assert list(check.iter_errors(bad)), bad
    properties = _full_schema()["$defs"]["PluginsTable"]["properties"]
    assert {"links", "pii", "secrets", "spam", "tone", "timing", "toxicity"} <= set(properties)


def test_the_schema_rejects_what_loading_rejects() -> None:
    check = validator(config_schema())
    for bad in (
        {"polcy": {}},
        {"policy": {"block_at": "hgh"}},
        {"guard": {"max_chars": 0}},
        {"watch": {"retries": "three"}},
        {"accounts": {"a": {"quiet": "x"}}},
        {"admins": {"ayu": {"pager": "1"}}},
        {"alerts": {"retries": 3}},
        {"alerts": {"sinks": {"desk": {"url_env": "X"}}}},
        {"storage": {"store_text": "yes"}},
        {"detectors": {"since": 20260601}},
        {"clarify": {"organisation": 5}},
    ):
        assert list(check.iter_errors(bad)), bad
        with pytest.raises(Exception, match=r"\w"):
            Config.from_dict(bad)


def test_the_file_schema_lists_every_section_loading_knows() -> None:
    with pytest.raises(Exception, match="unknown section"):
        Config.from_dict({"nope": {}})
    assert set(ConfigFile.__struct_fields__) == {
        "guard", "plugins", "rules", "policy", "accounts", "storage", "incidents", "alerts",
        "clarify", "organisation", "security", "approvals", "admins", "detectors", "watch",
        "reports", "calendar", "plan", "server",
    }  # fmt: skip
    assert CategoriesTable.__struct_fields__ == CATEGORIES


CONTRACT_DOCS = [ROOT / "docs" / "json-contract.md", ROOT / "README.md"]
JSON_EXAMPLES = [
    (name, line)
    for name, text in blocks("json", CONTRACT_DOCS) + blocks("console", CONTRACT_DOCS)
    for line in (text.splitlines() if not text.lstrip().startswith("{\n") else [text])
    if line.lstrip().startswith("{")
]


@pytest.mark.parametrize(("name", "text"), JSON_EXAMPLES, ids=[n for n, _ in JSON_EXAMPLES])
def test_every_json_example_in_the_docs_fits_the_contract(name: str, text: str) -> None:
    data = json.loads(text)
    what = "verdict" if "decision" in data else "post"
    if what == "post" and "text" not in data:
        pytest.skip("not a post or a verdict (another JSON example)")
    errors = list(validator(schema(what)).iter_errors(data))
    assert not errors, f"{name}: {errors[0].message}"


def test_real_verdicts_fit_the_verdict_schema() -> None:
    from smguard import Guard

    guard = Guard.from_config()
    check = validator(schema("verdict"))
    posts = [
        {"id": 7, "text": "dasar goblok lu", "kind": "reply", "in_reply_to": "kok lama?"},
        {"text": "Terima kasih, Kak!", "scheduled_at": "2026-06-01T02:00:00+07:00"},
        {"text": "Promo resmi di klikbca-hadiah.com, hubungi 0812 3456 7890"},
        {"txt": "malformed"},
    ]
    for verdict in guard.check_many(posts):
        data = json.loads(json.dumps(verdict.to_dict()))
        assert not list(check.iter_errors(data)), data


def test_the_post_schema_and_post_from_dict_agree_on_the_fields() -> None:
    import msgspec

    full = {
        "id": "cs-1", "text": "Halo", "kind": "reply", "language": "id", "account": "toko",
        "platform": "x", "in_reply_to": {"text": "Kak?", "author": "@budi"},
        "scheduled_at": "2026-06-01T07:00:00+07:00", "links": ["https://a.id"], "media": ["m1"],
    }  # fmt: skip
    assert set(full) == set(PostInput.__struct_fields__)
    Post.from_dict(full)
    msgspec.convert(full, PostInput)
    with pytest.raises(Exception, match="unknown field"):
        Post.from_dict({**full, "lang": "id"})
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.convert({**full, "lang": "id"}, PostInput)
    from smguard.types import Verdict

    produced = Verdict(decision="allow", findings=(), engines={}, elapsed_ms=0, error="x")
    assert set(produced.to_dict()) == set(VerdictOutput.__struct_fields__)
