"""The built-in rule packs: every rule's own examples, run through the full guard.

Each rule carries ``examples: {bad: [...], good: [...]}``; a bad example must make that rule fire
and a good one must not (semgrep's ``ruleid``/``ok`` idea). One test per example, named
``<rule id>:<bad|good>:<text>``, so a failure says which rule and which post. The guard is the
real one: every built-in plugin that exists (except the optional toxicity model), so the examples
also prove that the packs work with the normalisation, language routing and link/contact finders
they rely on.

Also checked here: every shipped rule has examples of both kinds, English and Indonesian texts,
and a well-formed, unique id.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from smguard.config import Config
from smguard.guard.engine import Guard
from smguard.guard.rule import Example, Rule
from smguard.guard.ruletest import run_examples
from smguard.manager import DEFAULT_PLUGINS

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"

#: The optional model engine has its own tests; these are about the rules.
SKIPPED_PLUGINS = frozenset({"toxicity"})
ID_RE = re.compile(r"^SMG-(?:EN|ID|XX)-[A-Z]+-\d{3}$")
KEBAB_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _plugins() -> str:
    """Built-in plugins that exist in this checkout, minus the model engine."""
    names = [
        name
        for name in DEFAULT_PLUGINS
        if name not in SKIPPED_PLUGINS
        and importlib.util.find_spec(f"smguard.plugins.{name}") is not None
    ]
    return ",".join(names)


def _build_guard() -> Guard:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("SMGUARD_CONFIG", "SMGUARD_DISABLE_PLUGINS"):
            mp.delenv(name, raising=False)
        mp.setenv("SMGUARD_LOAD_PLUGINS", _plugins())
        return Guard(Config())


_COLLECTED = _build_guard()


def _builtin(rule: Rule) -> bool:
    return bool(rule.source) and RULES_DIR in Path(rule.source).resolve().parents


def _example_cases() -> Iterator[object]:
    for rule in sorted(_COLLECTED.all_rules, key=lambda r: r.id):
        seen: dict[str, int] = {}
        for n, example in enumerate(rule.examples):
            kind = "bad" if example.bad else "good"
            label = f"{rule.id}:{kind}:{example.text[:60]}"
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label += f"#{seen[label]}"
            yield pytest.param(rule.id, n, id=label)


@pytest.fixture(scope="module")
def guard() -> Guard:
    return _build_guard()


@pytest.mark.parametrize(("rule_id", "index"), list(_example_cases()))
def test_rule_example(guard: Guard, rule_id: str, index: int) -> None:
    rule = guard.rule(rule_id)
    assert rule is not None
    example: Example = rule.examples[index]
    (result,) = run_examples(guard, dataclasses.replace(rule, examples=(example,)))
    if not result.passed:
        verdict = guard.check(example.to_post(rule))
        fired = [f"{f.rule} {f.evidence!r}" for f in verdict.findings]
        pytest.fail(f"{result.describe()}; findings: {fired or 'none'}")


def test_builtin_packs_are_loaded() -> None:
    builtin = [r for r in _COLLECTED.all_rules if _builtin(r)]
    for lang in ("en", "id", "common"):
        assert any(f"{Path('rules', lang)}" in r.source for r in builtin), lang
    assert _COLLECTED.packs.slang.get("gw") == "gue"


#: Shipped rules that cannot fire under the default configuration, so cannot carry examples.
NEEDS_CONFIG = {
    "SMG-LINK-002": "fires only for domains on the deny list an organisation configures",
}


@pytest.mark.parametrize("rule_id", sorted(r.id for r in _COLLECTED.all_rules))
def test_rule_has_good_and_bad_examples(rule_id: str) -> None:
    """Every shipped rule, from a pack or a built-in plugin, documents itself with examples."""
    if rule_id in NEEDS_CONFIG:
        pytest.skip(NEEDS_CONFIG[rule_id])
    rule = _COLLECTED.rule(rule_id)
    assert rule is not None
    assert rule.bad_examples, f"{rule_id} has no bad example"
    assert rule.good_examples, f"{rule_id} has no good example"


@pytest.mark.parametrize("rule_id", sorted(r.id for r in _COLLECTED.all_rules if _builtin(r)))
def test_builtin_rule_is_documented_in_both_languages(rule_id: str) -> None:
    rule = _COLLECTED.rule(rule_id)
    assert rule is not None
    assert ID_RE.match(rule.id), f"{rule.id} is not SMG-<EN|ID|XX>-<AREA>-NNN"
    assert KEBAB_RE.match(rule.name), f"{rule.id}: name {rule.name!r} is not kebab-case"
    for field in ("message", "why", "suggestion"):
        texts = getattr(rule, field) or {}
        for lang in ("en", "id"):
            assert texts.get(lang, "").strip(), f"{rule.id}: no {lang} {field}"
    if rule.languages == frozenset({"id"}):
        assert "-ID-" in rule.id, f"{rule.id} is an Indonesian-only rule"
    if rule.languages == frozenset({"en"}):
        assert "-EN-" in rule.id, f"{rule.id} is an English-only rule"


def test_lexicon_rules_have_enough_examples() -> None:
    """Word-list rules need 3+ bad and 3+ good examples: one word list has many ways to misfire.

    The tone packs (``rules/*/tone.yaml``) are tested in depth by ``tests/plugins/test_tone.py``.
    """
    thin = [
        r.id
        for r in _COLLECTED.all_rules
        if _builtin(r)
        and Path(r.source).name != "tone.yaml"
        and (len(r.bad_examples) < 3 or len(r.good_examples) < 3)
    ]
    assert thin == [], "every built-in lexicon rule needs at least 3 bad and 3 good examples"


DOCS = Path(__file__).resolve().parents[2] / "docs" / "rule-packs.md"
_DOC_PACK_RE = re.compile(r"<!-- example-pack[^>]*-->\n( *)```yaml\n(.*?)\n\1```", re.S)


def _doc_packs() -> list[str]:
    packs = []
    for indent, body in _DOC_PACK_RE.findall(DOCS.read_text(encoding="utf-8")):
        packs.append("\n".join(line[len(indent) :] for line in body.splitlines()) + "\n")
    return packs


def test_docs_example_packs_pass_their_own_examples(tmp_path: Path) -> None:
    """The packs shown in docs/rule-packs.md load next to the built-ins and behave as shown."""
    packs = _doc_packs()
    assert len(packs) == 2
    for n, text in enumerate(packs):
        (tmp_path / f"doc-pack-{n}.yaml").write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMGUARD_LOAD_PLUGINS", _plugins())
        guard = Guard(dataclasses.replace(Config(), rule_paths=(tmp_path,)))
    own = [r for r in guard.all_rules if r.source.startswith(str(tmp_path))]
    assert len(own) == 4
    for rule in own:
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == []


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in _COLLECTED.all_rules]
    assert len(ids) == len(set(ids))


def test_spam_ids_leave_room_for_the_spam_plugin() -> None:
    """Pack spam rules use SMG-<LANG>-SPAM-001..049; the spam plugin's code rules use 050+."""
    for rule in _COLLECTED.all_rules:
        if _builtin(rule) and "-SPAM-" in rule.id:
            assert int(rule.id.rsplit("-", 1)[1]) < 50, rule.id


def test_parsed_packs_are_cached_as_json_and_checked_like_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smguard.guard.packs import load

    cache = tmp_path / "cache"
    monkeypatch.setenv("SMGUARD_PACK_CACHE", str(cache))
    pack = tmp_path / "packs" / "p.yaml"
    pack.parent.mkdir()
    pack.write_text(
        "rules:\n  - id: SMG-XX-C-001\n    name: c\n    category: profanity\n"
        "    severity: high\n    message: {en: found}\n    why: {en: because}\n"
        "    match: {terms: [kasar]}\n",
        encoding="utf-8",
    )
    first = load.load_packs([pack.parent])
    assert [r.id for r in first.rules] == ["SMG-XX-C-001"]
    assert len(list(cache.glob("*.json"))) == 1

    # A second load reads the cache, not the YAML.
    def no_yaml(*_: object, **__: object) -> None:
        raise AssertionError("YAML parsed although the cache holds this file")

    from smguard.guard.packs import yaml_loader  # load imports the parser only on a miss

    monkeypatch.setattr(yaml_loader, "load_pack_yaml", no_yaml)
    assert [r.terms for r in load.load_packs([pack.parent]).rules] == [(("kasar",),)]

    # A damaged entry is validated like YAML would be: it cannot slip a bad rule in.
    entry = next(cache.glob("*.json"))
    entry.write_text('{"rules": [{"id": "bad id"}]}', encoding="utf-8")
    from smguard.errors import RulePackError

    with pytest.raises(RulePackError, match="must look like"):
        load.load_packs([pack.parent])
    # One that does not read back is ignored: the YAML is parsed again.
    entry.write_text("{not json", encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setenv("SMGUARD_PACK_CACHE", str(cache))
    assert [r.id for r in load.load_packs([pack.parent]).rules] == ["SMG-XX-C-001"]


def test_yaml_that_is_not_plain_json_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from smguard.guard.packs import load

    cache = tmp_path / "cache"
    monkeypatch.setenv("SMGUARD_PACK_CACHE", str(cache))
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for name, text in (("dates.yaml", "version: 2026-01-01\n"), ("bomb.yaml", bomb)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        load._cache_put(path.read_bytes(), yaml.safe_load(text))
    assert not cache.exists() or not list(cache.glob("*.json"))
