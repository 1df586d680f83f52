"""The docs keep up with the code: hooks, the rule catalogue, the plugin example, links."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smguard import hookspecs
from smguard.guard.catalogue import COMMAND, builtin_rules, render_catalogue

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PLUGIN_DOC = DOCS / "writing-plugins.md"
CATALOGUE = DOCS / "rule-catalogue.md"
PLUGIN_EXAMPLE = ROOT / "examples" / "plugin-example"


def _hookspecs() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (name, fn)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "smguard_spec")
    ]


def test_hookspecs_found() -> None:
    names = {name for name, _ in _hookspecs()}
    assert {"register_rules", "register_rule_packs", "decide"} <= names


@pytest.mark.parametrize("name", [name for name, _ in _hookspecs()])
def test_hookspec_has_a_docstring(name: str) -> None:
    assert (inspect.getdoc(getattr(hookspecs, name)) or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("name", [name for name, _ in _hookspecs()])
def test_hook_is_documented_for_plugin_authors(name: str) -> None:
    doc = PLUGIN_DOC.read_text(encoding="utf-8")
    heading = re.compile(rf"^#+ .*`{name}\(", re.MULTILINE)
    assert heading.search(doc), (
        f"hook {name} has no section in docs/writing-plugins.md: add a heading "
        f"'### `{name}(...)`' that says what it is for"
    )


def test_documented_hook_signatures_match_the_specs() -> None:
    doc = PLUGIN_DOC.read_text(encoding="utf-8")
    for name, fn in _hookspecs():
        params = ", ".join(inspect.signature(fn).parameters)
        assert f"`{name}({params})`" in doc, f"docs/writing-plugins.md: {name}({params})"


def test_every_built_in_plugin_is_named_for_plugin_authors() -> None:
    from smguard.manager import DEFAULT_PLUGINS

    doc = PLUGIN_DOC.read_text(encoding="utf-8")
    sentence = doc.split("The built-in plugins, by short name:", 1)[1].split("\n\n", 1)[0]
    missing = [name for name in DEFAULT_PLUGINS if f"`{name}`" not in sentence]
    assert missing == [], f"docs/writing-plugins.md does not list built-in plugin(s) {missing}"


def test_rule_catalogue_is_up_to_date() -> None:
    expected = render_catalogue(builtin_rules())
    current = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.exists() else ""
    assert current == expected, (
        f"docs/rule-catalogue.md is out of date with the rules; regenerate it with: {COMMAND}"
    )


def _code_block_after(doc: str, heading: str) -> str:
    section = doc.split(heading, 1)[1]
    match = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert match, f"no code block after {heading}"
    return match.group(1)


@pytest.mark.parametrize(
    "path",
    ["pyproject.toml", "smguard_brandwords/__init__.py", "smguard_brandwords/packs/brand.yaml"],
)
def test_plugin_doc_quotes_the_example_plugin_verbatim(path: str) -> None:
    doc = PLUGIN_DOC.read_text(encoding="utf-8")
    quoted = _code_block_after(doc, f"### `{path}`")
    actual = (PLUGIN_EXAMPLE / path).read_text(encoding="utf-8")
    if path.endswith(".yaml"):  # the doc leaves out the file's leading comment
        actual = "".join(line for line in actual.splitlines(True) if not line.startswith("#"))
    assert quoted == actual, f"docs/writing-plugins.md quotes an outdated {path}"


def _local_links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # links in code are examples
    return [t for t in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text) if "://" not in t]


def test_doc_pages_linked_from_the_readme_exist() -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet")
    missing = [t for t in _local_links(readme) if not (ROOT / t).exists()]
    assert missing == [], f"README.md links to missing pages: {missing}"


@pytest.mark.parametrize(
    "page", ["json-contract.md", "writing-plugins.md", "rule-catalogue.md", "cli.md"]
)
def test_links_between_doc_pages_resolve(page: str) -> None:
    path = DOCS / page
    missing = [t for t in _local_links(path) if not (path.parent / t).exists()]
    assert missing == [], f"docs/{page} links to missing pages: {missing}"


def _json_blocks(page: Path) -> list[Any]:
    text = page.read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def test_json_contract_examples_match_the_types() -> None:
    """The input example parses as a post; the verdict example has the fields verdicts have."""
    from smguard.types import Finding, Post, Severity, Verdict

    post_example, verdict_example = _json_blocks(DOCS / "json-contract.md")[:2]
    Post.from_dict(post_example)  # raises on an unknown field or a wrong type
    finding = Finding("SMG-X-001", "spam", Severity.LOW, {"en": "m"}, "lexicon")
    real = Verdict("allow", (finding,), {}, 0.0).to_dict()
    assert set(verdict_example) == set(real)
    assert set(verdict_example["findings"][0]) == set(real["findings"][0])
