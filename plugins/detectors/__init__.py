"""The built-in account-watch detectors (``smguard detectors list`` shows them).

* YAML detectors in ``rules/detectors/`` (:mod:`.yamlrules` reads them): new device, IP range,
  country or connected app; bursts of posts, follows and logins; 2FA, recovery, profile,
  password and admin changes.
* Code detectors: the unauthorised post and the unsafe live post (:mod:`.posts`), impossible
  travel, activity outside working hours and a login without a vault code (:mod:`.logins`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smguard import hookimpl


def builtin_detectors() -> list[Any]:
    from .logins import ImpossibleTravel, LoginWithoutVaultCode, OffHours
    from .posts import UnauthorisedPost, UnsafePostLive
    from .yamlrules import builtin_yaml

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
