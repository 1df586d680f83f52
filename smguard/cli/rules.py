"""``smguard rules``: list, explain (like ``ruff rule``) and test rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smguard.cli import style
from smguard.cli.examples import report_examples
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option
from smguard.guard.rule import Example, Rule
from smguard.types import localized

if TYPE_CHECKING:
    from smguard.guard.ruletest import ExampleResult

_HEAD = {
    "what": {"en": "What it does", "id": "Apa yang diperiksa"},
    "why": {"en": "Why it matters", "id": "Mengapa penting"},
    "instead": {"en": "Say it better", "id": "Sebaiknya"},
    "bad": {"en": "Flagged", "id": "Ditandai"},
    "good": {"en": "Not flagged", "id": "Tidak ditandai"},
    "fp": {"en": "Known false positives", "id": "Salah tanda yang diketahui"},
}


@click.group()
def rules() -> None:
    """List, explain and test rules."""


def _rule_row(rule: Rule, enabled: bool) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity.label,
        "languages": sorted(rule.languages),
        "kinds": sorted(rule.kinds) if rule.kinds else None,
        "engine": rule.engine,
        "status": rule.status,
        "enabled": enabled,
        "source": rule.source,
    }


@rules.command("list")
@click.option("--category", help="Only this category.")
@click.option("--language", help="Only rules for this language (en, id).")
@format_option()
@click.pass_obj
def list_rules(state: State, category: str | None, language: str | None, fmt: str) -> None:
    """List every rule: id, severity, category, languages and name."""
    guard = state.guard()
    enabled = {r.id for r in guard.rules}
    selected = [
        r
        for r in sorted(guard.all_rules, key=lambda r: r.id)
        if (category is None or r.category == category)
        and (language is None or language in r.languages or "*" in r.languages)
    ]
    if fmt == "json":
        click.echo(json.dumps([_rule_row(r, r.id in enabled) for r in selected], indent=2))
        return
    width = max((len(r.id) for r in selected), default=10)
    for r in selected:
        langs = ",".join(sorted(r.languages))
        off = "" if r.id in enabled else "  (disabled)"
        click.echo(
            f"{r.id:<{width}}  {r.severity.label:<8}  {r.category:<10}  {langs:<5}  {r.name}{off}"
        )
    click.echo(f"\n{len(selected)} rules", err=True)


@rules.command("show")
@click.argument("rule_id")
@format_option()
@click.pass_obj
def show(state: State, rule_id: str, fmt: str) -> None:
    """Explain one rule: what it does, why, how to say it better, examples."""
    guard = state.guard()
    rule = guard.rule(rule_id.upper())
    if rule is None:
        raise Problem(f"no rule {rule_id!r}; `smguard rules list` shows them all")
    if fmt == "json":
        echo_json(rule_json(rule, state.lang, enabled=any(r.id == rule.id for r in guard.rules)))
        return
    click.echo(render_rule(rule, state.lang))


def rule_json(rule: Rule, lang: str, enabled: bool) -> dict[str, Any]:
    """What ``rules show`` says about a rule, for tools (texts in ``lang``)."""

    def example(e: Example) -> dict[str, Any]:
        return {"text": e.text, "post": dict(e.post)}

    return {
        **_rule_row(rule, enabled),
        "message": localized(rule.message, lang),
        "why": localized(rule.why, lang) or None,
        "suggestion": localized(rule.suggestion, lang) or None,
        "examples": {
            "bad": [example(e) for e in rule.bad_examples],
            "good": [example(e) for e in rule.good_examples],
        },
        "false_positives": list(rule.false_positives),
    }


def render_rule(rule: Rule, lang: str) -> str:
    out = [
        style.bold(f"{rule.id}: {rule.name}"),
        f"{rule.category} · {rule.severity.label} · languages {', '.join(sorted(rule.languages))}"
        + (f" · only {', '.join(sorted(rule.kinds))}" if rule.kinds else "")
        + f" · {rule.status} · engine {rule.engine}",
        "",
        style.bold(f"## {localized(_HEAD['what'], lang)}"),
        localized(rule.message, lang),
    ]
    why = localized(rule.why, lang)
    if why:
        out += ["", style.bold(f"## {localized(_HEAD['why'], lang)}"), why]
    suggestion = localized(rule.suggestion, lang)
    if suggestion:
        out += ["", style.bold(f"## {localized(_HEAD['instead'], lang)}"), suggestion]
    for key, examples in (("bad", rule.bad_examples), ("good", rule.good_examples)):
        if examples:
            out += ["", style.bold(f"## {localized(_HEAD[key], lang)}")]
            for e in examples:
                out.append(("  ✗ " if key == "bad" else "  ✓ ") + e.text)
                out.extend(f"      {line}" for line in example_context(e, lang))
    if rule.false_positives:
        out += ["", style.bold(f"## {localized(_HEAD['fp'], lang)}")]
        out += [f"  - {fp}" for fp in rule.false_positives]
    if rule.source:
        out += ["", style.dim(f"source: {rule.source}")]
    return "\n".join(out)


_CONTEXT_LABELS = {
    "in_reply_to": {"en": "in reply to", "id": "membalas"},
    "kind": {"en": "kind", "id": "jenis"},
    "scheduled_at": {"en": "scheduled at", "id": "dijadwalkan"},
    "language": {"en": "language", "id": "bahasa"},
    "account": {"en": "account", "id": "akun"},
}


def example_context(example: Example, lang: str) -> list[str]:
    """The parts of an example besides its text (a reply's follower message, a schedule …)."""
    lines = []
    for key, labels in _CONTEXT_LABELS.items():
        value = example.post.get(key)
        if isinstance(value, dict):
            value = value.get("text")
        if value and not (key == "kind" and "in_reply_to" in example.post):
            lines.append(f"({localized(labels, lang)}: {value})")
    return lines


@rules.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@format_option()
@click.pass_obj
def test(state: State, paths: tuple[Path, ...], fmt: str) -> None:
    """Validate rule pack file(s) or folder(s) and run each rule's examples.

    Exit code 0 when every example behaves, 1 when one does not, 3 when a pack is broken.
    """
    from smguard.guard.packs import load_packs
    from smguard.guard.ruletest import run_examples

    resolved = tuple(p.resolve() for p in paths)
    packs = load_packs(resolved)  # fails first, with file/rule/problem, if a pack is broken
    guard = state.guard(extra_rule_paths=resolved)
    tested: list[tuple[str, list[ExampleResult]]] = []
    for pack_rule in packs.rules:
        rule = guard.rule(pack_rule.id)
        assert rule is not None
        tested.append((rule.id, run_examples(guard, rule)))
    report_examples(
        tested,
        fmt,
        "rules",
        lambda n, total, failed: f"\n{n} rules, {total} examples, {failed} failed",
    )
