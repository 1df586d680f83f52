"""The ASGI app of ``smguard serve``: the API (:mod:`.api`), health, metrics, OpenAPI and the
review desk (:mod:`.desk`), on Starlette.

:func:`create_app` builds one app per worker; its start-up builds the guard and starts the token
use counter, its shutdown writes the last counts. Workers share nothing but the database, so any
number of them, on any number of machines, can serve one PostgreSQL (docs/server.md).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from smguard.config import Config
from smguard.records.store import Store
from smguard.server.api import ROUTES, endpoint, error_response, json_response
from smguard.server.errors import ApiError
from smguard.server.openapi import openapi
from smguard.server.service import Service

__all__ = ["create_app"]


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    service: Service = request.app.state.service

    def database() -> bool:
        try:
            with service.store.session() as s:
                s.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    ok_db = await run_in_threadpool(database)
    ready = ok_db and service.ready
    body = {"status": "ready" if ready else "not_ready", "guard": service.ready, "database": ok_db}
    return json_response(body, 200 if ready else 503)


async def metrics(request: Request) -> Response:
    service: Service = request.app.state.service
    started = time.perf_counter()
    try:
        token = await run_in_threadpool(service.authenticate, request.headers.get("authorization"))
        if not token.allows("admin"):
            raise ApiError(403, "forbidden", f"token {token.name} does not have the admin scope")
    except ApiError as exc:
        return error_response(exc)
    service.usage.count(token.id, token.name, "/metrics", "ok")
    body = service.metrics.render(service.usage.pending)
    service.metrics.observe("/metrics", "GET", 200, time.perf_counter() - started)
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4")


async def openapi_json(request: Request) -> Response:
    return json_response(openapi())


def create_app(
    config: Config | None = None,
    *,
    store: Store | None = None,
    guard: Any = None,
    desk: bool = True,
    settle: bool = False,
) -> Starlette:
    """The app; ``store`` (tests) or ``config`` (``smguard serve``) says which database.

    ``settle``: warm the guard up at start and set the process's start-up objects aside from
    the garbage collector (:func:`smguard.guard.memo.settle`), for a worker that lives long.
    """
    store = store or Store(config or Config.load(None))
    service = Service(store, guard, settle=settle)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
    ]
    for method, path, scope, work in ROUTES:
        plain = path.replace(":int", "")
        routes.append(Route(path, endpoint(scope, work, route=plain), methods=[method]))
    if desk:
        from smguard.server.desk import desk_routes

        routes += desk_routes()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    return app


def app_from_environment() -> Starlette:
    """uvicorn's factory for ``--workers N``: each worker reads ``SMGUARD_CONFIG`` itself."""
    import os
    from pathlib import Path

    path = os.environ.get("SMGUARD_CONFIG")
    return create_app(Config.load(Path(path) if path else None), settle=True)
