"""Which detectors run: the registered ones and ``[detectors] paths``, tuned by ``[detectors]``.

Tuning lives in ``[detectors]`` of ``smguard.toml`` (see :func:`detector_settings` and
docs/detectors.md)::

    [detectors]
    disable = ["SMG-DET-014"]                  # detector ids (or [plugins] disable = ["detectors"])
    since = "2026-06-01T00:00:00+07:00"        # events before this are history, not examined
    paths = ["./my-detectors"]                 # more YAML detector files or folders

    [detectors.SMG-DET-020]                    # per detector: level and its own settings
    level = "high"
    count = 20
    within = "5m"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smguard.errors import ConfigError, PluginError
from smguard.watch.detectors import DETECTOR_ID, Detector
from smguard.watch.yamldetector import load_paths

if TYPE_CHECKING:
    import pluggy

    from smguard.config import Config

__all__ = ["DetectorSet", "DetectorSettings", "detector_settings", "load_detectors"]


@dataclass(frozen=True)
class DetectorSettings:
    """``[detectors]``: which detectors run and how each is tuned."""

    disable: frozenset[str] = frozenset()
    #: Events before this time are history only (the watch started then).
    since: datetime | None = None
    paths: tuple[Path, ...] = ()
    #: ``[detectors.ID]`` tables, validated against the detector when it loads.
    tuning: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def detector_settings(config: Config) -> DetectorSettings:
    """Validate the ``[detectors]`` table (ids are checked against the loaded detectors)."""
    table: Mapping[str, Any] = config.detectors
    where = f"{config.source}: detectors"
    tuning: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key in ("disable", "since", "paths"):
            continue
        if not DETECTOR_ID.match(key):
            raise ConfigError(
                f"{where}.{key}: unknown setting (known: disable, paths, since, or a detector id "
                "such as SMG-DET-020 for its own settings)"
            )
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}.{key}: must be a table ([detectors.{key}])")
        tuning[key] = value
    disable = table.get("disable", [])
    if isinstance(disable, str):
        disable = [disable]
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise ConfigError(f'{where}.disable: must be a list of detector ids, e.g. ["SMG-DET-014"]')
    since: datetime | None = None
    if "since" in table:
        raw = table["since"]
        if isinstance(raw, str):
            try:
                raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raw = None
        if not isinstance(raw, datetime) or raw.tzinfo is None:
            raise ConfigError(
                f"{where}.since: must be a time with its zone, e.g. 2026-06-01T00:00:00+07:00"
            )
        since = raw
    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}.paths: must be a list of files or folders")
    base = config.path.parent if config.path else Path.cwd()
    resolved = tuple((base / p).resolve() for p in paths)
    for p in resolved:
        if not p.exists():
            raise ConfigError(f"{where}.paths: file or folder not found: {p}")
    return DetectorSettings(
        disable=frozenset(d.strip().upper() for d in disable),
        since=since,
        paths=resolved,
        tuning=tuning,
    )


@dataclass(frozen=True)
class DetectorSet:
    """Every registered detector (tuned) and the enabled ones, in id order."""

    all: tuple[Detector, ...]
    enabled: tuple[Detector, ...]
    settings: DetectorSettings

    def get(self, detector_id: str) -> Detector | None:
        wanted = detector_id.strip().upper()
        return next((d for d in self.all if d.id == wanted), None)

    @property
    def needs_guard(self) -> bool:
        return any(d.needs_guard for d in self.enabled)


def load_detectors(config: Config, pm: pluggy.PluginManager | None = None) -> DetectorSet:
    """Collect the registered detectors (plus ``[detectors] paths``), tune and validate them."""
    if pm is None:
        from smguard.manager import get_plugin_manager

        pm = get_plugin_manager(config.disabled_plugins)
    settings = detector_settings(config)
    found: list[Detector] = []

    def register(detector: Any) -> None:
        if not isinstance(detector, Detector):
            raise PluginError(
                f"register_detectors got {detector!r}, "
                "which is not a smguard.watch.detectors.Detector"
            )
        found.append(detector)

    pm.hook.register_detectors(register=register)
    if settings.paths:
        found.extend(load_paths(settings.paths))
    seen: dict[str, Detector] = {}
    for d in found:
        if not d.id or not DETECTOR_ID.match(d.id):
            raise PluginError(f"detector {d!r} has no id like SMG-DET-001 ({d.source})")
        if d.id in seen:
            raise PluginError(
                f"detector id {d.id} is registered twice ({seen[d.id].source} and {d.source})"
            )
        seen[d.id] = d
    where = f"{config.source}: detectors"
    for key in sorted(set(settings.tuning) | settings.disable):
        if key not in seen:
            what = "disable" if key in settings.disable else key
            raise ConfigError(
                f"{where}.{what}: unknown detector id {key} (`smguard detectors list` shows them)"
            )
    tuned = tuple(
        seen[i].tuned(settings.tuning[i], f"{where}.{i}") if i in settings.tuning else seen[i]
        for i in sorted(seen)
    )
    enabled = tuple(d for d in tuned if d.id not in settings.disable and d.status != "deprecated")
    return DetectorSet(all=tuned, enabled=enabled, settings=settings)
