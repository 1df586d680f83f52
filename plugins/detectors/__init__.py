"""The built-in account-watch detectors (``smguard detectors list`` shows them).

* YAML detectors in ``rules/detectors/`` (read by :mod:`smguard.watch.yamldetector`): new
  device, IP range, country or connected app; bursts of posts, follows and logins; 2FA, recovery,
  profile, password and admin changes.
* Code detectors: the unauthorised post and the unsafe live post (:mod:`.posts`), impossible
  travel, activity outside working hours and a login without a vault code (:mod:`.logins`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smguard import hookimpl

if TYPE_CHECKING:
    from smguard.watch.yamldetector import YamlDetector


@functools.cache
def builtin_yaml() -> tuple[YamlDetector, ...]:
    """smguard's own YAML detectors (``rules/detectors``), read once."""
    import importlib.util
    from pathlib import Path

    from smguard.watch.yamldetector import load_paths

    spec = importlib.util.find_spec("smguard.rules")
    if spec is None or spec.origin is None:  # pragma: no cover - shipped with smguard
        return ()
    folder = Path(spec.origin).resolve().parent / "detectors"
    return tuple(load_paths([folder])) if folder.is_dir() else ()


def builtin_detectors() -> list[Any]:
    from .logins import ImpossibleTravel, LoginWithoutVaultCode, OffHours
    from .posts import UnauthorisedPost, UnsafePostLive

    return [
        UnauthorisedPost(),
        UnsafePostLive(),
        ImpossibleTravel(),
        OffHours(),
        LoginWithoutVaultCode(),
        *builtin_yaml(),
    ]


@hookimpl
def register_detectors(register: Callable[[Any], None]) -> None:
    for detector in builtin_detectors():
        register(detector)
