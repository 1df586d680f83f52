"""Examples of YAML detectors: documented events that fire or stay quiet, run as tests.

Each example is an event in short form and, optionally, the account's earlier events::

    examples:
      - title: ten posts in five minutes
        history: [{kind: post_published, at: -4m}, ...]   # ISO times or offsets from the event
        event: {kind: post_published}
        fires: true

``smguard detectors test`` and the test suite run them (:func:`run_example`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from smguard.types import ActivityEvent
from smguard.watch.context import DetectContext, History
from smguard.watch.detectors import parse_duration
from smguard.watch.yamlmatch import EVENT_FIELDS, DetectorFileError

if TYPE_CHECKING:
    from smguard.watch.detectors import Detector

__all__ = ["Example", "ExampleResult", "event_from_dict", "parse_examples", "run_example"]

_BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
_OFFSET = re.compile(r"^-\s*(\d+[smhd])$")


@dataclass(frozen=True)
class Example:
    title: str
    event: Mapping[str, Any]
    history: tuple[Mapping[str, Any], ...] = ()
    fires: bool = True


@dataclass(frozen=True)
class ExampleResult:
    detector: str
    example: Example
    fired: bool

    @property
    def passed(self) -> bool:
        return self.fired == self.example.fires

    def describe(self) -> str:
        want = "fire" if self.example.fires else "stay quiet"
        did = "fired" if self.fired else "stayed quiet"
        return f"{self.detector}: {self.example.title!r} should {want} but {did}"


def _when(value: Any, base: datetime, where: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and _OFFSET.match(value.strip()):
        offset = _OFFSET.match(value.strip())
        assert offset is not None
        return base - parse_duration(offset.group(1), where)
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise DetectorFileError(f"{where}: {value!r} is not a time or an offset") from None
    else:
        raise DetectorFileError(f"{where}: 'at' must be an ISO time or an offset such as -5m")
    if when.tzinfo is None:
        raise DetectorFileError(f"{where}: {value!r} needs a time zone")
    return when


def event_from_dict(
    data: Mapping[str, Any], *, id: str, at: datetime, where: str = "event"
) -> ActivityEvent:
    """An :class:`ActivityEvent` from an example's short form (account, platform, source and
    id get defaults; ``at`` may be an offset from the example's event)."""
    known = {"id", "at", "raw", "latitude", "longitude", *EVENT_FIELDS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DetectorFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values = {k: v for k, v in data.items() if k not in ("at", "links")}
    if "links" in data:
        values["links"] = tuple(data["links"])
    try:
        return ActivityEvent(
            **{
                "id": id,
                "account": "example",
                "platform": "example",
                "source": "example",
                "at": at,
                **values,
            }
        )
    except (TypeError, ValueError) as exc:
        raise DetectorFileError(f"{where}: {exc}") from None


def _example_events(example: Example, where: str) -> tuple[ActivityEvent, list[ActivityEvent]]:
    event_at = _when(example.event.get("at", _BASE), _BASE, f"{where}.event")
    event = event_from_dict(example.event, id="event", at=event_at, where=f"{where}.event")
    history = []
    n = len(example.history)
    for i, item in enumerate(example.history):
        at = _when(item.get("at", f"-{n - i}h"), event_at, f"{where}.history[{i}]")
        history.append(
            event_from_dict(item, id=f"history-{i:04d}", at=at, where=f"{where}.history[{i}]")
        )
    return event, history


def run_example(detector: Detector, example: Example, config: Any = None) -> ExampleResult:
    """Run one example: the detector sees the example's history as the account's past."""
    from smguard.config import Config

    event, earlier = _example_events(example, f"{detector.id} example {example.title!r}")
    stored = [*earlier, event]

    def fetch(
        account: str, kinds: Sequence[str], since: datetime, until: datetime
    ) -> list[ActivityEvent]:
        return [
            e for e in stored if e.account == account and e.kind in kinds and since <= e.at <= until
        ]

    ctx = DetectContext(config or Config(), History(fetch))
    fired = bool(detector.detect(event, ctx))
    return ExampleResult(detector.id, example, fired)


def parse_examples(raw: Any, where: str) -> tuple[Example, ...]:
    """A detector's ``examples``; a malformed one raises :class:`DetectorFileError` at load."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DetectorFileError(f"{where}: 'examples' must be a list")
    out = []
    for i, item in enumerate(raw):
        at = f"{where}.examples[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("event"), Mapping):
            raise DetectorFileError(f"{at}: needs an 'event' mapping")
        unknown = sorted(set(item) - {"title", "event", "history", "fires"})
        if unknown:
            raise DetectorFileError(f"{at}: unknown key(s) {', '.join(unknown)}")
        history = item.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, Mapping) for h in history):
            raise DetectorFileError(f"{at}.history: must be a list of events")
        fires = item.get("fires", True)
        if not isinstance(fires, bool):
            raise DetectorFileError(f"{at}.fires: must be true or false")
        example = Example(
            title=str(item.get("title") or f"example {i + 1}"),
            event=dict(item["event"]),
            history=tuple(dict(h) for h in history),
            fires=fires,
        )
        _example_events(example, at)  # malformed examples fail at load, not in a test run
        out.append(example)
    return tuple(out)
