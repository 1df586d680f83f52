"""Rule packs: strict validation with file + rule + problem, and the matching semantics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smguard.errors import RulePackError
from smguard.guard.packs import load_packs
from tests.support.guards import make_guard, write_pack

RULE = """
rules:
  - id: SMG-XX-T-001
    name: test-rule
    category: profanity
    severity: high
    message: {{en: found, id: ketemu}}
    why: {{en: because}}
    match:
{match}
"""


def pack_with(match: str) -> str:
    return RULE.format(match=textwrap.indent(textwrap.dedent(match).strip(), " " * 6))


def guard_for(tmp_path: Path, match: str, slang: str = ""):  # type: ignore[no-untyped-def]
    write_pack(tmp_path, "p.yaml", (slang + "\n" if slang else "") + pack_with(match))
    return make_guard(packs=[tmp_path])


def fired(guard, text: str, **post: object) -> bool:  # type: ignore[no-untyped-def]
    verdict = guard.check({"text": text, "language": "id", **post})
    return any(f.rule == "SMG-XX-T-001" for f in verdict.findings)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules: [\n", "not valid YAML at line"),
        ("rules:\n  - id: bad id\n", "'id' must look like SMG-ID-SARA-003"),
        (
            pack_with("terms: [x]").replace("name: test-rule", "name: a\n    nmae: b"),
            "rule SMG-XX-T-001: unknown key(s): nmae",
        ),
        (pack_with("terms: [x]").replace("profanity", "rude"), "'category' must be one of"),
        (
            pack_with("terms: [x]").replace("severity: high", "severity: huge"),
            "'severity': 'huge' is not a severity",
        ),
        (
            pack_with("terms: [x]").replace("    message: {en: found, id: ketemu}\n", ""),
            "missing 'message'",
        ),
        (pack_with("{}"), "'match' needs terms, phrases or regex"),
        (pack_with("terms: ['two words']"), "put it under match.phrases"),
        (pack_with("terms: ['f*ck']"), "is not a word (use match.regex for symbols)"),
        (pack_with("regex: ['(a)\\1']"), "not valid RE2 syntax"),
        (pack_with("regex: ['(?=x)y']"), "not valid RE2 syntax"),
        (pack_with("terms: [x]\nwith: [email]"), "'match.with' must list link and/or contact"),
        (pack_with("terms: [x]\nnear: {words: [a], window: 99}"), "window' must be a whole number"),
        (pack_with("terms: [x]\nfuzzy: true"), "unknown key(s) in match: fuzzy"),
        ("rules:\n  - id: SMG-A-1\n    id: SMG-A-2\n", "duplicate key 'id'"),
        ("slang: [a]\n", "'slang' must map slang words to words"),
        ("rulez: []\n", "unknown top-level key(s): rulez"),
    ],
)
def test_broken_packs_fail_with_file_rule_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write_pack(tmp_path, "broken.yaml", text)
    with pytest.raises(RulePackError) as info:
        load_packs([tmp_path])
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert "\n" not in message


def test_duplicate_ids_across_files_name_both(tmp_path: Path) -> None:
    write_pack(tmp_path, "a.yaml", pack_with("terms: [x]"))
    write_pack(tmp_path, "b.yaml", pack_with("terms: [y]"))
    with pytest.raises(
        RulePackError, match=r"b\.yaml, rule SMG-XX-T-001: duplicate rule id .*a\.yaml"
    ):
        load_packs([tmp_path])


def test_invalid_utf8_pack(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"rules: \xff\xfe\n")
    with pytest.raises(RulePackError, match="not valid UTF-8"):
        load_packs([tmp_path])


def test_catastrophic_regex_cannot_hang_the_guard(tmp_path: Path) -> None:
    # With a backtracking engine this pattern takes exponential time on the input below.
    guard = guard_for(tmp_path, "regex: ['(a+)+$']")
    assert not fired(guard, "a" * 15_000 + "!")
    assert fired(guard, "aaaa")


def test_terms_are_whole_words(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [ass, tai]")
    assert fired(guard, "what an ass")
    for clean in ("class assistant in Essex", "liburan santai di pantai", "sate petai"):
        assert not fired(guard, clean), clean


def test_phrases_and_slang(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "phrases: ['salah sendiri']", slang="slang: {slh: salah}")
    assert fired(guard, "Ya itu SALAH SENDIRI kak")
    assert fired(guard, "slh sendiri")
    assert not fired(guard, "salah kirim, maaf sendiri")


def test_near_and_not_near(tmp_path: Path) -> None:
    guard = guard_for(
        tmp_path,
        """
        terms: [anjing]
        near: {words: [dasar, lu], window: 2}
        not_near: {words: [peliharaan], window: 2}
        """,
    )
    assert fired(guard, "dasar anjing lu")
    assert not fired(guard, "anjing lucu sekali")
    assert not fired(guard, "dasar anjing peliharaan")


def test_near_side(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [babi]\nnear: {words: [dasar], window: 2, side: before}")
    assert fired(guard, "dasar babi")
    assert not fired(guard, "babi dasar")


def test_min_distinct(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [slot, gacor, maxwin]\nmin_distinct: 2")
    assert not fired(guard, "slot iklan tersedia, slot terbatas")
    assert fired(guard, "slot gacor hari ini")


def test_regex_spans_point_into_the_original(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "regex: ['bokep']")
    text = "Nonton ｂｏｋｅｐ di sini"
    verdict = guard.check({"text": text, "language": "id"})
    (finding,) = verdict.findings
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == "ｂｏｋｅｐ"


def test_stemming_of_indonesian_suffixes(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [bangsat]")
    assert fired(guard, "bangsatnya kabur")
    guard_off = guard_for(tmp_path / "off", "terms: [bangsat]\nstem: false")
    assert not fired(guard_off, "bangsatnya kabur")


def test_rules_test_command_reports_failing_examples(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from smguard.cli.main import _add_commands, cli

    _add_commands()
    text = (
        pack_with("terms: [kasar]")
        + "    examples:\n      bad: [kasar, halus]\n      good: [sopan]\n"
    )
    write_pack(tmp_path, "mine.yaml", text)
    result = CliRunner().invoke(
        cli, ["rules", "test", str(tmp_path)], env={"SMGUARD_LOAD_PLUGINS": "packs,policy"}
    )
    assert result.exit_code == 1, result.output
    assert "should fire but did not fire on 'halus'" in result.output
    assert "1 rules, 3 examples, 1 failed" in result.output

    write_pack(tmp_path, "mine.yaml", text.replace("kasar, halus", "kasar"))
    result = CliRunner().invoke(
        cli, ["rules", "test", str(tmp_path)], env={"SMGUARD_LOAD_PLUGINS": "packs,policy"}
    )
    assert result.exit_code == 0, result.output

    write_pack(tmp_path, "mine.yaml", text.replace("severity: high", "severity: loud"))
    result = CliRunner().invoke(
        cli, ["rules", "test", str(tmp_path)], env={"SMGUARD_LOAD_PLUGINS": "packs,policy"}
    )
    assert result.exit_code == 3
    assert "mine.yaml, rule SMG-XX-T-001: 'severity'" in result.output


def test_spelled_out_word_after_an_article(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [moron]")
    text = "What a m o r o n"
    verdict = guard.check({"text": text, "language": "en"})
    (finding,) = verdict.findings
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == "a m o r o n"
    assert fired(guard, "m.o.r.o.n")


def test_regex_matches_respect_near_and_not_near(tmp_path: Path) -> None:
    guard = guard_for(
        tmp_path,
        """
        regex: ['\\d+rb']
        near: {words: [depo, deposit], window: 2}
        not_near: {words: [tabungan], window: 3}
        """,
    )
    assert fired(guard, "depo 10rb langsung main")
    assert not fired(guard, "harga 10rb saja")
    assert not fired(guard, "deposit tabungan 50rb")


def test_min_distinct_counts_overlapping_matches_once(tmp_path: Path) -> None:
    guard = guard_for(tmp_path, "terms: [depo, slot]\nphrases: ['depo 10rb']\nmin_distinct: 2")
    assert not fired(guard, "depo 10rb")  # one place, two overlapping keys
    assert fired(guard, "slot depo 10rb")


def test_unquoted_yaml_booleans_in_word_lists_are_explained(tmp_path: Path) -> None:
    write_pack(tmp_path, "p.yaml", pack_with("terms: [yes, no]"))
    with pytest.raises(RulePackError, match="a YAML boolean: write the word in quotes"):
        load_packs([tmp_path])


def test_with_contact_ignores_the_organisations_own_numbers(tmp_path: Path) -> None:
    write_pack(tmp_path, "p.yaml", pack_with("phrases: ['hubungi cs']\nwith: [contact]"))
    config = {"plugins": {"pii": {"allow_numbers": ["0812-1000-2000"]}}}
    guard = make_guard(packs=[tmp_path], config=config)
    assert not fired(guard, "Ada kendala? Hubungi CS resmi kami di WA 0812-1000-2000")
    assert not fired(guard, "Ada kendala? Hubungi CS di wa.me/6281210002000")
    assert fired(guard, "Ada kendala? Hubungi CS di WA 0813-9999-1234")
    assert fired(guard, "Hubungi CS di 0812-1000-2000 atau wa.me/6281399991234")


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """Regression (issue 12): nested aliases expanded to billions of values and hung start-up."""
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    (tmp_path / "bomb.yaml").write_text(
        "slang:\n" + "\n".join("  " + line for line in levels) + "\nrules: []\n",
        encoding="utf-8",
    )
    with pytest.raises(RulePackError, match=r"aliases \(\*name\) expand to more than") as err:
        load_packs([tmp_path])
    assert len(str(err.value)) < 300


def test_pack_errors_never_quote_an_unbounded_value(tmp_path: Path) -> None:
    huge = "x" * 1_000_000
    write_pack(tmp_path, "p.yaml", pack_with(f"terms: ['{huge} {huge}']"))
    with pytest.raises(RulePackError, match="has several words") as err:
        load_packs([tmp_path])
    assert len(str(err.value)) < 500
    explicit = f"? '{huge}'\n: 1\n"
    (tmp_path / "p.yaml").write_text("rules: []\n" + explicit * 2, encoding="utf-8")
    with pytest.raises(RulePackError, match="duplicate key") as err:
        load_packs([tmp_path])
    assert len(str(err.value)) < 500
    # Found by the property test: a rule id of thousands of characters (damage made it so).
    long_id = pack_with("terms: [x]").replace("SMG-XX-T-001", "S" + "9" * 5_000 + "MG-XX-T-001")
    write_pack(tmp_path, "p.yaml", long_id.replace("severity: high", "severity: huge"))
    with pytest.raises(RulePackError, match="severity") as err:
        load_packs([tmp_path])
    assert len(str(err.value)) < 500


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("&anchor: 1\nrules: []\n", "not empty"),
        ("null: 1\nrules: []\n", "'null' is null"),
        ("rules: []\nslang:\n  on: pada\n", "'on' (a boolean)"),
        ("rules: []\nslang:\n  2: dua\n", "'2' (a number)"),
        ("? [a, b]\n: 1\nrules: []\n", "not a value"),
    ],
)
def test_a_key_that_is_not_text_is_one_clear_error(tmp_path: Path, text: str, said: str) -> None:
    """Regression (issue 12, found by the fuzz campaign): a key YAML reads as null, a boolean
    or a number crashed pack loading with a TypeError (sorting mixed keys); with the JSON pack
    cache warm it turned into another message. Both ways it is now the same one-line error."""
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    for _ in range(2):  # parsed, then from the pack cache
        with pytest.raises(RulePackError, match="a key must be text") as err:
            load_packs([tmp_path])
        assert said in str(err.value)
        assert "line" in str(err.value)
