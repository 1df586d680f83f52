"""The OpenAPI document matches the routes the app serves, both ways."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route


def _served(app: Any) -> set[tuple[str, str]]:
    out = set()
    for route in app.routes:
        if isinstance(route, Route) and not route.path.startswith("/desk") and route.path != "/":
            for method in route.methods or ():
                if method != "HEAD":
                    out.add((method.lower(), route.path.replace(":int", "")))
    return out


def test_the_document_lists_exactly_the_served_routes(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == _served(client.app)


def test_the_document_is_valid_openapi_shaped(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op["summary"] and op["responses"], path
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    assert "{" + param["name"] + "}" in path
