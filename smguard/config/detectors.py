"""``[detectors]``: which account-watch detectors run, from when, and how each is tuned.

::

    [detectors]
    disable = ["SMG-DET-014"]                  # detector ids (or [plugins] disable = ["detectors"])
    since = "2026-06-01T00:00:00+07:00"        # events before this are history, not examined
    paths = ["./my-detectors"]                 # more YAML detector files or folders

    [detectors.SMG-DET-020]                    # per detector: level and its own settings
    level = "high"
    count = 20
    within = "5m"

The table's own keys and each ``[detectors.ID]``'s ``level`` are checked when the file is loaded;
a detector's own settings, and whether the ids exist, when the detectors are loaded
(:func:`smguard.watch.detectorset.load_detectors`), since only then is it known which detectors
there are and what each takes (docs/detectors.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from smguard.config.policy import SEVERITY
from smguard.config.schema import NAMES, Table, convert, str_list
from smguard.errors import ConfigError

__all__ = [
    "DETECTOR_ID",
    "DetectorSettings",
    "DetectorTuning",
    "DetectorsTable",
    "detector_settings",
]

#: What a detector id looks like: ``SMG-DET-020``, ``ORG-DET-100``.
DETECTOR_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_OWN_KEYS = "disable, paths, since, or a detector id such as SMG-DET-020 for its own settings"


class DetectorTuning(Table, frozen=True, forbid_unknown_fields=False):
    """``[detectors.ID]``: the detector's level and its own settings (``smguard detectors show
    ID`` lists them; they are checked against the detector when it loads)."""

    level: (
        Annotated[SEVERITY, Meta(description="The severity of the incidents this detector opens.")]
        | None
    ) = None


class DetectorsTable(Table, frozen=True, forbid_unknown_fields=False):
    """``[detectors]``: which detectors run, from when; ``[detectors.ID]`` tunes one of them."""

    disable: Annotated[
        NAMES, Meta(description='Detector ids not to run, e.g. ["SMG-DET-014"].')
    ] = ()
    since: (
        Annotated[
            datetime,
            Meta(tz=True, description="Events before this time are history only, not examined."),
        ]
        | None
    ) = None
    paths: Annotated[
        NAMES, Meta(description="More YAML detector files or folders, relative to this file.")
    ] = ()


class DetectorSettings(msgspec.Struct, frozen=True, kw_only=True):
    """``[detectors]``: which detectors run and how each is tuned."""

    disable: frozenset[str] = frozenset()
    #: Events before this time are history only (the watch started then).
    since: datetime | None = None
    paths: tuple[Path, ...] = ()
    #: ``[detectors.ID]`` tables as written, checked against the detector when it loads.
    tuning: Mapping[str, Mapping[str, Any]] = msgspec.field(default_factory=dict)


def detector_settings(raw: Mapping[str, Any], base_dir: Path) -> DetectorSettings:
    """Check ``[detectors]``: its own keys, and each ``[detectors.ID]``'s ``level``."""
    table = convert(raw, DetectorsTable, "detectors")
    tuning: dict[str, Mapping[str, Any]] = {}
    for key, value in raw.items():
        if key in DetectorsTable.__struct_fields__:
            continue
        if not DETECTOR_ID.match(key):
            raise ConfigError(f"detectors.{key}: unknown setting (known: {_OWN_KEYS})")
        convert(value, DetectorTuning, f"detectors.{key}")
        tuning[key] = value
    paths = tuple((base_dir / p).resolve() for p in str_list(table.paths))
    for path in paths:
        if not path.exists():
            raise ConfigError(f"detectors.paths: file or folder not found: {path}")
    return DetectorSettings(
        disable=frozenset(d.upper() for d in str_list(table.disable)),
        since=table.since,
        paths=paths,
        tuning=tuning,
    )
