"""Reading a content plan: a CSV or YAML file of the posts planned for the coming days.

Columns (CSV header) or keys (YAML, a list of posts or ``{posts: [...]}``): ``when`` (ISO 8601;
without a zone it is the account's local time), ``account``, ``text``, and optionally ``media``
(file names; ``;``-separated in CSV), ``author``, ``kind`` (post, reply…), ``language``, ``id``.
A row that cannot be read becomes a :class:`PlanError` with its line, and the rest is still read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from smguard.errors import InputError
from smguard.guard.packs.yaml_loader import load_bounded_yaml, yaml_problem
from smguard.types import POST_KINDS

__all__ = ["PLAN_COLUMNS", "PlanError", "PlannedPost", "read_plan"]

PLAN_COLUMNS = ("when", "account", "text", "media", "author", "kind", "language", "id")


@dataclass(frozen=True)
class PlannedPost:
    line: int
    when: datetime
    account: str
    text: str
    media: tuple[str, ...] = ()
    author: str | None = None
    kind: str = "post"
    language: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class PlanError:
    line: int
    message: str


def _when(value: Any, account: str, zone_of: Any) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value or "").strip()
        if not text:
            raise InputError("'when' is empty (e.g. 2026-06-01 07:00 or 2026-06-01T07:00+07:00)")
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"'when' {text!r} is not a time like 2026-06-01 07:00") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone_of(account))
    return when


def _post(raw: Mapping[str, Any], line: int, zone_of: Any) -> PlannedPost:
    unknown = sorted(k for k in raw if k not in PLAN_COLUMNS)
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r} (known: {', '.join(PLAN_COLUMNS)})")
    account = str(raw.get("account") or "").strip()
    if not account:
        raise InputError("'account' is empty")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("'text' is empty")
    media = raw.get("media") or ()
    if isinstance(media, str):
        media = [m.strip() for m in media.replace("|", ";").split(";") if m.strip()]
    if not isinstance(media, list | tuple) or not all(isinstance(m, str) for m in media):
        raise InputError("'media' must be file names (a list, or ';'-separated)")
    kind = str(raw.get("kind") or "post").strip()
    if kind not in POST_KINDS:
        raise InputError(f"'kind' {kind!r} is not one of {', '.join(POST_KINDS)}")
    language = str(raw["language"]).strip().lower() if raw.get("language") else None
    return PlannedPost(
        line=line, when=_when(raw.get("when"), account, zone_of), account=account, text=text,
        media=tuple(media), author=str(raw["author"]).strip() if raw.get("author") else None,
        kind=kind, language=language, id=str(raw["id"]) if raw.get("id") is not None else None,
    )  # fmt: skip


def read_plan(path: Path, zone_of: Any) -> tuple[list[PlannedPost], list[PlanError]]:
    """The posts of a plan file and the rows that could not be read.

    ``zone_of(account)`` gives the time zone of a time written without one. A file that cannot
    be read at all (missing, not CSV/YAML) raises :class:`InputError`.
    """
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the plan: {exc}") from None
    rows: list[tuple[int, Any]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = load_bounded_yaml(content)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML{yaml_problem(exc)}") from None
        if isinstance(data, Mapping):
            data = data.get("posts")
        if not isinstance(data, list):
            raise InputError(f"{path}: expected a list of posts (or posts: [...])")
        rows = [(n, item) for n, item in enumerate(data, 1)]
    elif path.suffix.lower() in (".csv", ".txt"):
        reader = csv.DictReader(io.StringIO(content))
        missing = [c for c in ("when", "account", "text") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                f"{path}: the first line must name the columns; missing: {', '.join(missing)}"
            )
        rows = [(reader.line_num, dict(row)) for row in reader]
    else:
        raise InputError(f"{path}: a plan is a .csv or .yaml file")
    posts: list[PlannedPost] = []
    errors: list[PlanError] = []
    for line, raw in rows:
        if not isinstance(raw, Mapping):
            errors.append(PlanError(line, "each post must be a mapping with when, account, text"))
            continue
        try:
            posts.append(_post({k: v for k, v in raw.items() if k is not None}, line, zone_of))
        except InputError as exc:
            errors.append(PlanError(line, str(exc)))
    return posts, errors
