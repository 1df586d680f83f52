"""Which detectors run: the registered ones and ``[detectors] paths``, tuned by ``[detectors]``.

``[detectors]`` is read when the configuration is loaded (:mod:`smguard.config.detectors`, and
docs/detectors.md); here the detectors are collected, each ``[detectors.ID]`` is checked against
the detector it tunes, and an id that names no detector is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smguard.config.detectors import DETECTOR_ID, DetectorSettings
from smguard.config.plugins import check_settings
from smguard.errors import ConfigError, PluginError
from smguard.watch.detectors import Detector
from smguard.watch.yamldetector import load_paths

if TYPE_CHECKING:
    import pluggy

    from smguard.config import Config

__all__ = ["DetectorSet", "load_detectors"]


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
        check_settings(pm, config)
    settings = config.detectors
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
