"""A generic activity feed: one JSON object per line (``.jsonl`` / ``.ndjson``), any platform.

Schema (documented for feed writers in ``docs/watch.md``)::

    {"id": "evt-1", "kind": "login", "at": "2026-06-01T07:00:00+07:00",
     "account": "kemcontoh_x", "platform": "x", "ip": "203.0.113.7", "device": "Chrome on Windows"}

``kind`` and ``at`` (ISO 8601 with a time zone) are required; ``account`` is required unless
``smguard ingest --account`` names it; ``platform`` defaults to the account's configured platform
(else ``other``); ``id`` should be given (a feed's own event id) — without it the id is a hash of
the line, so the same line ingested twice is still one event. Optional: ``source``, ``actor``,
``ip``, ``device``, ``country``, ``city``, ``latitude``, ``longitude``, ``text``, ``url``,
``links`` (list of strings) and ``raw`` (an object). Any other field is refused, so a typo is
noticed. Blank lines are skipped. One bad line stops the whole ingest before anything is stored;
the message names the line (and says how many more lines are bad). The feed is read line by line,
not whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smguard import safejson
from smguard.errors import InputError
from smguard.types import EVENT_KINDS, ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource, stable_id

__all__ = ["FIELDS", "JsonlConnector", "parse_line"]

_SUFFIXES = (".jsonl", ".ndjson")
_TEXT = ("source", "actor", "ip", "device", "country", "city", "text", "url")
FIELDS = frozenset(
    {"id", "kind", "at", "account", "platform", "latitude", "longitude", "links", "raw", *_TEXT}
)


def _string(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string")
    return value


def _number(data: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InputError(f"'{key}' must be a number from {low:g} to {high:g}")
    return float(value)


def parse_line(
    line: str, *, account: str | None, platform: str | None, source: str
) -> ActivityEvent:
    """One feed line as an event; raise ``InputError`` saying what is wrong with it."""
    try:
        data = safejson.loads(line)
    except safejson.SafeJsonError as err:
        exc = err.decode
        if exc is None:
            raise InputError(f"refused: {err}") from None
        raise InputError(f"not valid JSON at column {exc.colno}: {exc.msg.lower()}") from None
    if not isinstance(data, Mapping):
        raise InputError("must be a JSON object")
    unknown = set(data) - FIELDS
    if unknown:
        raise InputError(
            f"unknown field(s) {safejson.names(unknown)} (known: {', '.join(sorted(FIELDS))})"
        )
    kind = data.get("kind")
    if kind not in EVENT_KINDS:
        raise InputError(
            f"'kind' must be one of {', '.join(EVENT_KINDS)}, not {safejson.short(kind)}"
        )
    raw_at = data.get("at")
    if not isinstance(raw_at, str):
        raise InputError("'at' is required: an ISO 8601 time such as 2026-06-01T07:00:00+07:00")
    try:
        at = datetime.fromisoformat(raw_at.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"'at' is not an ISO 8601 time: {safejson.short(raw_at)}") from None
    if at.tzinfo is None:
        stamp = raw_at.strip()  # it parsed, so it is short once its padding is gone
        raise InputError(f"'at' needs a time zone, e.g. {stamp}+07:00 or {stamp}Z")
    line_account = _string(data, "account")
    if line_account is not None and account is not None and line_account != account:
        raise InputError(
            f"'account' is {safejson.short(line_account)} but --account is {account!r}"
        )
    who = line_account or account
    if not who:
        raise InputError("no 'account' on the line and no --account given")
    links = data.get("links", [])
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise InputError("'links' must be a list of strings")
    raw = data.get("raw", {})
    if not isinstance(raw, Mapping):
        raise InputError("'raw' must be an object")
    event_id = data.get("id")
    if event_id is None:
        event_id = "h:" + stable_id(json.dumps(data, sort_keys=True, ensure_ascii=False))
    elif not isinstance(event_id, str | int) or isinstance(event_id, bool) or not str(event_id):
        raise InputError("'id' must be a non-empty string or a number")
    return ActivityEvent(
        id=f"feed:{who}:{event_id}",
        account=who,
        platform=_string(data, "platform") or platform or "other",
        kind=str(kind),
        at=at,
        source=_string(data, "source") or source,
        actor=_string(data, "actor"),
        ip=_string(data, "ip"),
        device=_string(data, "device"),
        country=_string(data, "country"),
        city=_string(data, "city"),
        latitude=_number(data, "latitude", -90, 90),
        longitude=_number(data, "longitude", -180, 180),
        text=_string(data, "text"),
        url=_string(data, "url"),
        links=tuple(links),
        raw=dict(raw),
    )


class JsonlConnector:
    name = "jsonl"
    platform = "other"
    description = "Generic JSONL feed: one activity event per line, any platform"

    def recognises(self, source: ExportSource) -> bool:
        return source.kind == "file" and source.path.suffix.lower() in _SUFFIXES

    def read(
        self, source: ExportSource, account: str | None, platform: str | None
    ) -> list[ActivityEvent]:
        if source.kind != "file":
            raise ExportError(f"{source.path}: a JSONL feed is one file, not a folder or zip")
        name = source.names[0]
        where = source.where(name)
        events: list[ActivityEvent] = []
        first: str | None = None
        bad = 0
        feed = f"jsonl:{source.path.name}"
        for number, line in enumerate(source.lines(name), 1):
            if not line.strip():
                continue
            try:
                events.append(parse_line(line, account=account, platform=platform, source=feed))
            except InputError as exc:
                bad += 1
                first = first or f"{where}: line {number}: {exc}"
        if first is not None:
            more = f" (and {bad - 1} more bad line{'s' if bad > 2 else ''})" if bad > 1 else ""
            raise ExportError(first + more + "; nothing was ingested")
        return events
