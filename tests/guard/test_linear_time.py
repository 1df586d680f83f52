"""No post can stall the guard: hostile inputs cost time in proportion to their length.

No test here times anything against a threshold. Each runs an input ten times longer than the
guard ever reads (``guard.max_chars`` is 20,000) in a child process with a generous time limit:
linear code finishes in well under a second, while the quadratic code these tests guard against
needs hours on it (a 20,000-character ``@@@…`` post took about 4 s before; ten times the length
is a hundred times the work), so the limit separates the two on any machine however loaded.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from smguard.guard.normalize import normalize

#: Ten times ``guard.max_chars``.
N = 200_000
#: Seconds a child process may take; linear code needs a small fraction of this.
LIMIT = 120


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "unit",
    ["@", "$", "@$", "a@", "@a", "a!", "a$a", "!", "a.", "a ", "a-🔥", "a.b ", "1 "],
    ids=repr,
)
def test_the_word_tokenizer_is_linear(unit: str) -> None:
    out = _run(
        f"""
        from smguard.guard.normalize import normalize
        norm = normalize({unit!r} * ({N} // len({unit!r})))
        print(len(norm.words), len(norm.spans), len(norm.forms))
        """
    )
    assert out.split()[0] == out.split()[1]


def test_a_run_of_at_signs_is_no_word_and_words_around_it_still_are() -> None:
    norm = normalize("@@@@@@@@ b@ngsat $$$$ a$$ @njing")
    assert norm.words == ["b@ngsat", "a$$", "@njing"]


def test_regex_context_is_linear_in_the_number_of_matches() -> None:
    """A pack regex with near/not_near once scanned every word of the post for every match."""
    out = _run(
        f"""
        from pathlib import Path
        import tempfile
        from dataclasses import replace
        from smguard.config import Config
        from smguard.guard.engine import Guard
        from tests.support.guards import plugin_manager

        folder = Path(tempfile.mkdtemp())
        (folder / "p.yaml").write_text('''
        rules:
          - id: SMG-XX-T-001
            name: t
            category: spam
            severity: low
            message: {{en: found}}
            why: {{en: because}}
            match:
              regex: ['\\\\d+rb']
              near: {{words: [depo], window: 2}}
              not_near: {{words: [tabungan], window: 2}}
        ''', encoding="utf-8")
        config = Config.from_dict({{"guard": {{"max_chars": {N * 2}}}}})
        guard = Guard(replace(config, rule_paths=(folder,)), plugin_manager())
        verdict = guard.check({{"text": "depo 10rb " * ({N} // 10), "language": "id"}})
        print(sum(f.rule == "SMG-XX-T-001" for f in verdict.findings))
        """
    )
    assert out.strip() == "10"  # every match kept, the first ten reported


def test_long_post_is_checked_through_the_whole_guard() -> None:
    out = _run(
        f"""
        from smguard.config import Config
        from smguard.guard.engine import Guard
        guard = Guard(Config.from_dict({{
            "plugins": {{"disable": ["toxicity"]}}, "guard": {{"max_chars": {N}}}
        }}))
        units = ("@", "$", "a@", "a.", "x-", "+62-812-", "https://x.co/a?b=1 ", "aGVsbG8gd29ybGQ=",
                 "\\n")
        for unit in units:
            # Capitals make the tone rules read the letters of replies and direct messages,
            # masking addresses and domains first (regression: quadratic in a run of "a." or
            # "+62-812-"; 2 s for 8,000 characters, hours for these).
            text = "TOLONG BALAS " + unit * ({N} // len(unit))
            for post in (text, {{"text": text, "kind": "dm"}},
                         {{"text": text, "kind": "reply", "in_reply_to": {{"text": "kok lama?"}}}}):
                verdict = guard.check(post)
                assert verdict.error is None
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_link_flood_counts_links_in_linear_time() -> None:
    """It once rebuilt the set of written links for every given link (60,000 links: hours)."""
    out = _run(
        """
        from smguard.config import Config
        from smguard.guard.rule import CheckContext
        from smguard.plugins import spam
        from smguard.types import Post

        found = []
        config = Config.from_dict({})
        spam.register_rules(found.append, config)
        rule = next(r for r in found if r.id == "SMG-SPAM-055")
        links = tuple(f"https://e{i}.example/p" for i in range(60_000))
        post = Post(text=" ".join(links), links=links)
        ctx = CheckContext(post, frozenset({"en"}), config, config.account(None))
        print(len(list(rule.check(post, ctx))))
        """
    )
    assert out.strip() == "1"


def test_an_amount_pattern_over_a_long_run_of_dotted_digits_is_linear() -> None:
    """Regression (issue 12, found by the fuzz campaign): the money pattern of the scam rule
    tried every digit of ".0.0.0…" as the start of an amount and read to the end of the run
    each time; a 29,547-character post took 830 ms, and 400,000 characters would take a
    quarter of an hour."""
    out = _run(
        """
        from smguard.plugins.spam.scam_signals import MONEY_RE
        text = "transfer ke rekening" + " ." + ".0" * 200_000 + " lalu 50rb"
        print(MONEY_RE.search(text).group())
        """
    )
    assert out.strip() == "50rb"


def test_runs_of_white_space_closing_brackets_and_labels_are_linear() -> None:
    """Regressions (issue 12, found by scanning runs of every symbol in posts and replies): a
    reply's sign-off test searched for trailing links from every character of a run of new
    lines (20,000: 3.6 s), a link's trailing ")" or "]" were counted again for each one
    dropped (20,000: 0.6 s), and the own-domain test copied the rest of a host for each of its
    labels (10,000 labels: 0.2 s)."""
    out = _run(
        f"""
        from smguard.guard.urls import extract_urls
        from smguard.plugins.tone.courtesy import _TRAILING_LINKS
        for unit in ("\\n", "\\t", " ", " \\n"):
            text = "terima kasih" + unit * {N} + "x"
            assert _TRAILING_LINKS.sub("", text) == text
            assert _TRAILING_LINKS.sub("", text + " https://a.co/x") == text
        for unit in (")", "]", ".", "}}"):
            (url,) = extract_urls("lihat http://a.bc/x" + unit * {N})
            assert url.url == "http://a.bc/x", url.url
        from smguard.guard.urls import host_in
        assert host_in("www." * {N} + "bca.co.id", frozenset({{"bca.co.id"}}))
        assert not host_in("www." * {N} + "evil", frozenset({{"bca.co.id"}}))
        print("ok")
        """
    )
    assert out.strip() == "ok"
