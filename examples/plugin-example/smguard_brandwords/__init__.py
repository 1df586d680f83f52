"""smguard-brandwords: keep internal code names and competitors' names out of posts.

A complete smguard plugin in one module. It adds

* a code rule, ``SMG-BRAND-001``: an internal project code name appears in a post (a leak of
  something not yet announced). The names come from the configuration::

      [plugins.brandwords]
      code_names = ["Proyek Merpati", "Garuda-X"]

* a rule pack, ``packs/brand.yaml`` (``SMG-BRAND-101``: a competitor is named).

smguard finds this module through the entry point in ``pyproject.toml``::

    [project.entry-points.smguard]
    brandwords = "smguard_brandwords"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.normalize import Token, fold
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import Finding, Post, Severity

__version__ = "0.1"

PLUGIN = "brandwords"
DEFAULT_CODE_NAMES = ("Proyek Merpati", "Garuda-X")
_WORD = re.compile(r"[^\W_]+")


@dataclass(eq=False)
class CodeNameRule(Rule):
    """Fires when one of ``names`` (each a sequence of normalised words) appears in a post.

    Matching runs on the guard's normalised tokens, so ``Pr0yek Merpati``, ``proyek  MERPATI``
    and look-alike letters are caught too, and spans still point into the original text.
    """

    names: tuple[tuple[str, ...], ...] = ()

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        tokens = ctx.norm.tokens
        findings = []
        for name in self.names:
            for i in range(len(tokens) - len(name) + 1):
                if all(_has_form(tokens[i + k], word) for k, word in enumerate(name)):
                    start, end = tokens[i].start, tokens[i + len(name) - 1].end
                    findings.append(self.finding(span=(start, end), evidence=post.text[start:end]))
        return findings


def _has_form(token: Token, word: str) -> bool:
    return word in token.forms


def code_name_rule(names: Sequence[str]) -> CodeNameRule:
    return CodeNameRule(
        id="SMG-BRAND-001",
        name="internal-code-name",
        category="brand",
        severity=Severity.HIGH,
        engine=PLUGIN,
        message={
            "en": "The post mentions an internal project code name.",
            "id": "Unggahan menyebut nama sandi proyek internal.",
        },
        why={
            "en": "Code names are for unannounced work; seeing one in public leaks plans "
            "before the organisation is ready to talk about them.",
            "id": "Nama sandi dipakai untuk pekerjaan yang belum diumumkan; menyebutnya di "
            "publik membocorkan rencana sebelum waktunya.",
        },
        suggestion={
            "en": "Use the public product name, or wait for the official announcement.",
            "id": "Gunakan nama produk resmi, atau tunggu pengumuman resminya.",
        },
        examples=(
            Example({"text": "Sneak peek: Proyek Merpati launches next month!"}, bad=True),
            Example({"text": "Bocoran: fitur GARUDA-X segera hadir"}, bad=True),
            Example({"text": "Burung merpati di Taman Suropati, pagi ini."}, bad=False),
        ),
        names=tuple(tuple(_WORD.findall(fold(n))) for n in names if _WORD.findall(fold(n))),
    )


def _code_names(config: Config) -> tuple[str, ...]:
    value = config.plugin(PLUGIN).get("code_names", DEFAULT_CODE_NAMES)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"plugins.{PLUGIN}.code_names: must be a list of names")
    return tuple(value)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    register(code_name_rule(_code_names(config)))


@hookimpl
def register_rule_packs(register: Callable[[str], None]) -> None:
    register(str(Path(__file__).parent / "packs"))
