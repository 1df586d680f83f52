"""Built-in alert sink types: ``slack``, ``discord``, ``telegram`` and signed generic ``json``.

The sink classes live in :mod:`smguard.alerting.sinks`; they are imported when sinks are
registered, not when the plugin loads, so that checking a post never pays for the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smguard import hookimpl


@hookimpl
def register_alert_sinks(register: Callable[[Any], None]) -> None:
    from smguard.alerting.sinks import SINK_TYPES

    for sink_type in SINK_TYPES:
        register(sink_type)
