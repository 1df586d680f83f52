"""The review desk: server-rendered pages for people (sign-in with TOTP, held posts, incidents).

Not built yet: :func:`desk_routes` serves no page.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["desk_routes"]


def desk_routes() -> list[BaseRoute]:
    return []
