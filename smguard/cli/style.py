"""Colour in the CLI's output: whether to use it, and what each colour means.

Every command styles its text through the functions here, never with ``click.style`` directly,
so that one palette says what red or yellow means and one rule says when colour is shown:

* ``--color always`` / ``--color never`` decide outright (a flag typed for this run wins);
* otherwise ``NO_COLOR`` (https://no-color.org: any non-empty value) turns colour off,
  ``FORCE_COLOR`` (any non-empty value) turns it on — ``NO_COLOR`` wins when both are set,
  as in Python's own ``_colorize``;
* otherwise colour is shown only where output goes to a terminal (click decides per stream, so
  ``smguard check … | jq`` or a cron mail never gets escape codes).

The decision is stored on the root click context (``ctx.color``), which every ``click.echo``
of the invocation consults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

__all__ = [
    "COLOR_CHOICES",
    "bold",
    "color_setting",
    "dim",
    "mark",
    "marked",
    "tone",
]

COLOR_CHOICES = ("auto", "always", "never")

#: What a word means → its colour. Severities of findings, incidents and audit findings share
#: one scale; decisions and delivery states reuse it (green fine, yellow look at it, red not).
_TONES: dict[str, str] = {
    "info": "blue",
    "low": "cyan",
    "medium": "yellow",
    "warning": "yellow",
    "high": "red",
    "critical": "magenta",
    "allow": "green",
    "review": "yellow",
    "block": "red",
    "error": "red",
    "ok": "green",
    "sent": "green",
    "pending": "yellow",
    "failed": "yellow",
    "dead": "red",
    "fail": "red",
}


def color_setting(choice: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """``ctx.color`` for ``--color CHOICE``: True or False to decide, None for "a terminal only"."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return None


def tone(text: str, meaning: str, *, bold: bool = False) -> str:
    """``text`` in the colour of ``meaning`` (a severity, decision or state; unknown: plain)."""
    return click.style(text, fg=_TONES.get(meaning), bold=bold or None)


def bold(text: str) -> str:
    """A heading or a summary line."""
    return click.style(text, bold=True)


def dim(text: str) -> str:
    """A side note: where something came from, an engine that did not run."""
    return click.style(text, dim=True)


def marked(text: str) -> str:
    """The offending words inside an excerpt of a post."""
    return click.style(text, fg="red", bold=True, underline=True)


def mark(passed: bool) -> str:
    """``ok  `` or ``FAIL`` at the start of a test result line."""
    return tone("ok  ", "ok") if passed else tone("FAIL", "fail")
