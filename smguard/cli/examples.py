"""How ``rules test`` and ``detectors test`` report the examples they ran.

Both take a list of (rule or detector id, its example results); a result has ``passed`` and
``describe()`` (what should have happened and what did).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from smguard.cli import style
from smguard.cli.output import echo_json

__all__ = ["report_examples"]

Tested = Sequence[tuple[str, Sequence[Any]]]


def report_examples(
    tested: Tested, fmt: str, key: str, summary: Callable[[int, int, int], str]
) -> NoReturn:
    """Print the results (text, or JSON under ``key``) and exit 0, or 1 when an example failed.

    ``summary(subjects, examples, failed)`` is the closing line of the text.
    """
    failed = sum(1 for _, results in tested for r in results if not r.passed)
    if fmt == "json":
        echo_json(examples_json(key, tested))
    else:
        for subject, results in tested:
            echo_examples(subject, results)
        click.echo(summary(len(tested), sum(len(results) for _, results in tested), failed))
    sys.exit(1 if failed else 0)


def echo_examples(subject: str, results: Sequence[Any]) -> None:
    """One ``ok``/``FAIL`` line for a rule's or detector's examples, then each failure."""
    bad = [r for r in results if not r.passed]
    note = "" if results else "  (no examples)"
    click.echo(f"{style.mark(not bad)} {subject}  {len(results) - len(bad)}/{len(results)}{note}")
    for r in bad:
        click.echo(f"     {r.describe()}")


def examples_json(key: str, tested: Tested) -> dict[str, Any]:
    """``rules test`` / ``detectors test`` for tools: per rule or detector, what passed and what
    failed (with the same description as the text), and the totals."""
    rows = [
        {
            "id": subject,
            "examples": len(results),
            "passed": sum(1 for r in results if r.passed),
            "failures": [r.describe() for r in results if not r.passed],
        }
        for subject, results in tested
    ]
    failed = sum(1 for _, results in tested for r in results if not r.passed)
    return {
        key: rows,
        "examples": sum(len(results) for _, results in tested),
        "failed": failed,
        "ok": failed == 0,
    }
