"""``[plugins.secrets]``: how random an assigned value must be, and known dummy values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smguard.errors import ConfigError

__all__ = ["SecretSettings", "parse_settings"]


@dataclass(frozen=True, eq=False)
class SecretSettings:
    min_entropy: float = 3.0
    allow: frozenset[str] = frozenset()


_KNOWN_KEYS = ("min_entropy", "allow")


def parse_settings(options: Mapping[str, Any]) -> SecretSettings:
    """Validate ``[plugins.secrets]``; raise :class:`ConfigError` naming the bad key."""
    for key in options:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"plugins.secrets.{key}: unknown setting (known: {', '.join(_KNOWN_KEYS)})"
            )
    min_entropy = options.get("min_entropy", 3.0)
    if isinstance(min_entropy, bool) or not isinstance(min_entropy, int | float):
        raise ConfigError("plugins.secrets.min_entropy: must be a number between 1 and 6")
    if not 1 <= min_entropy <= 6:
        raise ConfigError("plugins.secrets.min_entropy: must be a number between 1 and 6")
    allow = options.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(v, str) and v for v in allow):
        raise ConfigError("plugins.secrets.allow: must be a list of strings (dummy values)")
    return SecretSettings(min_entropy=float(min_entropy), allow=frozenset(allow))
