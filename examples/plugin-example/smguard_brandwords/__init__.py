"""smguard-brandwords: keep internal code names and competitors' names out of posts.

A complete smguard plugin in one module. It adds

* a code rule, ``SMG-BRAND-001``: an internal project code name appears in a post (a leak of
  something not yet announced). The names come from the configuration, whose table the plugin
  declares (:class:`Settings`), so smguard checks it when it loads the file::

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
from smguard.config.schema import Table
from smguard.guard.normalize import Token, fold
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import Finding, Post, Severity

__version__ = "0.1"

PLUGIN = "brandwords"
DEFAULT_CODE_NAMES = ("Proyek Merpati", "Garuda-X")
_WORD = re.compile(r"[^\W_]+")


class Settings(Table, frozen=True):
    """``[plugins.brandwords]``: a misspelt key or a value of the wrong kind stops smguard with
    one line naming it (``plugins.brandwords.code_name: unknown setting …``)."""

    code_names: tuple[str, ...] = DEFAULT_CODE_NAMES


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


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, Settings)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = config.plugin_settings(PLUGIN, Settings)
    register(code_name_rule(settings.code_names))


@hookimpl
def register_rule_packs(register: Callable[[str], None]) -> None:
    register(str(Path(__file__).parent / "packs"))
