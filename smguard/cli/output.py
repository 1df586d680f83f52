"""Output for tools: the ``--format text|json`` option and how JSON is written.

One convention for every command that reports something: ``--format json`` prints what the
text shows, as one JSON document on standard output — or, for a command that reports as it goes
(``check`` of a batch, ``watch``, ``alerts deliver``, ``audit log``), one JSON object per line.
The exit code is the same as for text. Errors stay one ``Error:`` line on standard error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

__all__ = ["FORMATS", "echo_json", "echo_json_line", "format_option", "iso"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json")


def format_option(help_text: str = "Output: text for people, json for tools.") -> Callable[[F], F]:
    """``--format text|json`` (default text), passed to the command as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help=help_text,
    )


def echo_json(data: Any) -> None:
    """One JSON document, indented, non-ASCII kept as is."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_json_line(data: Any) -> None:
    """One JSON object on one line (for output that streams)."""
    click.echo(json.dumps(data, ensure_ascii=False))


def iso(when: datetime | None) -> str | None:
    """A stored time in UTC, ISO 8601; None stays None."""
    return when.astimezone(UTC).isoformat() if when else None
