"""The rule catalogue: every rule as a Markdown page, generated from the packs and code rules.

    python -m smguard.guard.catalogue --output docs/rule-catalogue.md
    python -m smguard.guard.catalogue --lang id --all-plugins  # Indonesian, third-party rules too

By default only the built-in plugins' rules are listed, with the default configuration, so the
page documents what ships with smguard whatever happens to be installed or configured on the
machine that builds it. The test suite regenerates the page and fails when it is out of date.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from smguard.guard.rule import ANY_LANGUAGE, Example, Rule
from smguard.types import CATEGORIES, localized

__all__ = ["builtin_rules", "main", "render_catalogue"]

COMMAND = "python -m smguard.guard.catalogue --output docs/rule-catalogue.md"

_CATEGORY_TITLES: dict[str, dict[str, str]] = {
    "toxicity": {"en": "Toxicity (model scores)", "id": "Toksisitas (skor model)"},
    "hate": {"en": "Hate and SARA", "id": "Kebencian dan SARA"},
    "harassment": {"en": "Harassment: insults and threats", "id": "Pelecehan: hinaan dan ancaman"},
    "sexual": {"en": "Sexual content", "id": "Konten seksual"},
    "profanity": {"en": "Profanity", "id": "Kata kasar"},
    "spam": {"en": "Spam, gambling and scams", "id": "Spam, judi dan penipuan"},
    "link": {"en": "Links", "id": "Tautan"},
    "pii": {"en": "Personal data", "id": "Data pribadi"},
    "secret": {"en": "Secrets", "id": "Rahasia"},
    "tone": {"en": "Tone of replies", "id": "Nada balasan"},
    "timing": {"en": "Timing", "id": "Waktu terbit"},
    "brand": {"en": "Brand", "id": "Merek"},
    "integrity": {"en": "Integrity", "id": "Integritas"},
}

_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Rule catalogue", "id": "Katalog aturan"},
    "intro": {
        "en": "Every built-in rule of smguard, grouped by category. Each entry says what the rule "
        "flags, why it matters, what to write instead, and shows one post it flags and one it "
        "does not (taken from the rule's own examples, which the test suite runs). "
        "`smguard rules show ID` prints the same on the command line.",
        "id": "Semua aturan bawaan smguard, dikelompokkan per kategori. Setiap entri menjelaskan "
        "apa yang ditandai, mengapa penting, apa yang sebaiknya ditulis, serta satu contoh yang "
        "ditandai dan satu yang tidak (diambil dari contoh aturan itu sendiri, yang dijalankan "
        "oleh rangkaian tes). `smguard rules show ID` menampilkan hal yang sama di baris perintah.",
    },
    "generated": {
        "en": "Generated from the rule packs and code rules by `{command}`; do not edit by hand.",
        "id": "Dibuat dari paket aturan dan aturan kode oleh `{command}`; jangan diubah manual.",
    },
    "summary": {"en": "Summary", "id": "Ringkasan"},
    "count": {"en": "Rules", "id": "Jumlah aturan"},
    "category": {"en": "Category", "id": "Kategori"},
    "id": {"en": "ID", "id": "ID"},
    "name": {"en": "Name", "id": "Nama"},
    "severity": {"en": "Severity", "id": "Tingkat"},
    "languages": {"en": "Languages", "id": "Bahasa"},
    "any_language": {"en": "any", "id": "semua"},
    "kinds": {"en": "Post kinds", "id": "Jenis unggahan"},
    "status": {"en": "Status", "id": "Status"},
    "engine": {"en": "Engine", "id": "Mesin"},
    "source": {"en": "Defined in", "id": "Didefinisikan di"},
    "code_rule": {
        "en": "a code rule of the `{engine}` engine",
        "id": "aturan kode mesin `{engine}`",
    },
    "what": {"en": "What it flags", "id": "Yang ditandai"},
    "why": {"en": "Why it matters", "id": "Mengapa penting"},
    "instead": {"en": "Say it better", "id": "Sebaiknya"},
    "bad": {"en": "Flagged", "id": "Ditandai"},
    "good": {"en": "Not flagged", "id": "Tidak ditandai"},
    "reply_to": {"en": "in reply to", "id": "membalas"},
    "fp": {"en": "Known false positives", "id": "Salah tanda yang diketahui"},
    "empty": {
        "en": "No rules are registered: the built-in rule packs and plugins are missing.",
        "id": "Tidak ada aturan terdaftar: paket aturan dan plugin bawaan tidak ditemukan.",
    },
}


def _t(key: str, lang: str, **fields: str) -> str:
    text = localized(_TEXT[key], lang)
    return text.format(**fields) if fields else text


def _anchor(rule_id: str) -> str:
    return rule_id.lower()


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return _visible(text).replace("|", "\\|")


def _visible(text: str) -> str:
    """Show invisible characters (zero-width space, joiners …) as ``\\u200b`` escapes."""
    out = []
    for ch in text.replace("\r", " ").replace("\n", " "):
        if unicodedata.category(ch) in ("Cf", "Cc"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _code(text: str) -> str:
    """An inline code span that survives backticks inside ``text``."""
    text = _visible(text)
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _source(rule: Rule, lang: str) -> str:
    if not rule.source:
        return _t("code_rule", lang, engine=rule.engine)
    path = Path(rule.source)
    parts = path.parts
    # Built-in packs live in the smguard.rules package (the repository's rules/ folder when
    # installed editable): show them as rules/<language>/<file>, the same on every machine.
    spec = importlib.util.find_spec("smguard.rules")
    if spec is not None and spec.origin:
        base = Path(spec.origin).resolve().parent
        try:
            return f"`rules/{path.resolve().relative_to(base).as_posix()}`"
        except ValueError:
            pass  # a pack outside the built-in folder (a plugin's or the user's own)
    return f"`{'/'.join(parts[-2:])}`" if len(parts) >= 2 else f"`{path.name}`"


def _languages(rule: Rule, lang: str) -> str:
    if ANY_LANGUAGE in rule.languages:
        return _t("any_language", lang)
    return ", ".join(sorted(rule.languages))


def _example(example: Example, lang: str) -> str:
    line = _code(example.text)
    reply = example.post.get("in_reply_to")
    reply_text = reply.get("text") if isinstance(reply, dict) else reply
    if isinstance(reply_text, str) and reply_text:
        line += f" ({_t('reply_to', lang)} {_code(reply_text)})"
    kind = example.post.get("kind")
    if isinstance(kind, str) and kind != "post":
        line += f" — {kind}"
    return line


def _rule_section(rule: Rule, lang: str) -> list[str]:
    out = [
        f'<a id="{_anchor(rule.id)}"></a>',
        "",
        f"### {rule.id} · {rule.name}",
        "",
        f"| {_t('severity', lang)} | {_t('languages', lang)} | {_t('kinds', lang)} "
        f"| {_t('status', lang)} | {_t('engine', lang)} |",
        "|---|---|---|---|---|",
        f"| {rule.severity.label} | {_languages(rule, lang)} "
        f"| {', '.join(sorted(rule.kinds)) if rule.kinds else _t('any_language', lang)} "
        f"| {rule.status} | {rule.engine} |",
        "",
        f"**{_t('what', lang)}:** {localized(rule.message, lang)}",
        "",
    ]
    why = localized(rule.why, lang)
    if why:
        out += [f"**{_t('why', lang)}:** {why}", ""]
    suggestion = localized(rule.suggestion, lang)
    if suggestion:
        out += [f"**{_t('instead', lang)}:** {suggestion}", ""]
    bad, good = rule.bad_examples, rule.good_examples
    if bad:
        out.append(f"- ✗ {_t('bad', lang)}: {_example(bad[0], lang)}")
    if good:
        out.append(f"- ✓ {_t('good', lang)}: {_example(good[0], lang)}")
    if bad or good:
        out.append("")
    if rule.false_positives:
        out.append(f"{_t('fp', lang)}:")
        out += [f"- {_visible(fp)}" for fp in rule.false_positives]
        out.append("")
    out += [f"{_t('source', lang)} {_source(rule, lang)}.", ""]
    return out


def render_catalogue(rules: Iterable[Rule], lang: str = "en") -> str:
    """The catalogue of ``rules`` as Markdown, grouped by category (in ``CATEGORIES`` order).

    Within a category rules are sorted by id, so the output depends only on the rules.
    """
    by_category: dict[str, list[Rule]] = {}
    for rule in rules:
        by_category.setdefault(rule.category, []).append(rule)
    order = [c for c in CATEGORIES if c in by_category]
    order += sorted(set(by_category) - set(CATEGORIES))
    total = sum(len(v) for v in by_category.values())

    out = [
        f"# {_t('title', lang)}",
        "",
        f"<!-- {_t('generated', lang, command=COMMAND)} -->",
        "",
        _t("intro", lang),
        "",
    ]
    if not total:
        return "\n".join([*out, _t("empty", lang), ""])
    out += [
        f"## {_t('summary', lang)}",
        "",
        f"{_t('count', lang)}: {total}.",
        "",
        f"| {_t('id', lang)} | {_t('name', lang)} | {_t('category', lang)} "
        f"| {_t('severity', lang)} | {_t('languages', lang)} |",
        "|---|---|---|---|---|",
    ]
    for category in order:
        for rule in sorted(by_category[category], key=lambda r: r.id):
            out.append(
                f"| [{rule.id}](#{_anchor(rule.id)}) | {_cell(rule.name)} | {category} "
                f"| {rule.severity.label} | {_languages(rule, lang)} |"
            )
    out.append("")
    for category in order:
        rules_here = sorted(by_category[category], key=lambda r: r.id)
        title = localized(_CATEGORY_TITLES.get(category), lang) or category
        out += [f"## {title}", "", f"`{category}` · {_t('count', lang)}: {len(rules_here)}", ""]
        for rule in rules_here:
            out += _rule_section(rule, lang)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def builtin_rules(all_plugins: bool = False) -> list[Rule]:
    """Every rule of the built-in plugins (and of installed third-party ones if asked).

    Uses the default configuration, so a local ``smguard.toml`` that disables rules or adds
    packs does not change the catalogue. ``SMGUARD_LOAD_PLUGINS`` / ``SMGUARD_DISABLE_PLUGINS``
    still apply, as everywhere.
    """
    from smguard.config import Config
    from smguard.guard.engine import Guard
    from smguard.manager import get_plugin_manager, plugin_infos

    pm = get_plugin_manager()
    if not all_plugins:
        for info in plugin_infos(pm):
            if not info.builtin:
                pm.unregister(name=info.name)
    return list(Guard(Config(), pm).all_rules)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m smguard.guard.catalogue",
        description="Write the rule catalogue (Markdown) generated from the loaded rules.",
    )
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--lang", choices=("en", "id"), default="en", help="language of the page")
    parser.add_argument(
        "--all-plugins",
        action="store_true",
        help="include rules of installed third-party plugins (default: built-ins only)",
    )
    args = parser.parse_args(argv)
    from smguard.errors import SmguardError

    try:
        text = render_catalogue(builtin_rules(args.all_plugins), args.lang)
    except SmguardError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 3
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
