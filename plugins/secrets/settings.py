"""``[plugins.secrets]``: how random an assigned value must be, and known dummy values.

The table, checked when the configuration is loaded, is what the rules read.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from smguard.config.schema import Table, listing

__all__ = ["SecretSettings"]


class SecretSettings(Table, frozen=True):
    """``[plugins.secrets]``: how random a value must be to count as a secret, and values that
    are known not to be one."""

    min_entropy: Annotated[
        float,
        Meta(ge=1, le=6, description="Bits per character a value needs to count as random."),
    ] = 3.0
    allow: Annotated[
        frozenset[Annotated[str, Meta(min_length=1)]],
        listing("a list of strings (dummy values)"),
        Meta(description="Values that look like secrets but are not (documentation examples)."),
    ] = frozenset()
