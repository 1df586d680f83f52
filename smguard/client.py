"""A small Python client of ``smguard serve`` (on httpx, which smguard already depends on).

    from smguard.client import Client

    with Client("http://127.0.0.1:8750", token="smg_...") as smg:
        verdict = smg.check("Selamat pagi!", account="kemenkeu_ri")
        if verdict["decision"] != "allow":
            ...

Every method returns the API's JSON; an error answer raises :class:`ApiError` with the HTTP
status, the error's type, the CLI's exit code and the message in English and Indonesian.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

__all__ = ["ApiError", "Client"]


class ApiError(Exception):
    """An error answer of the API."""

    def __init__(self, status: int, type_: str, message: Mapping[str, str], exit_code: int) -> None:
        super().__init__(f"{status} {type_}: {message.get('en', '')}")
        self.status = status
        self.type = type_
        self.message = dict(message)
        self.exit_code = exit_code


class Client:
    """Calls the API with one token; use it as a context manager (or call :meth:`close`)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        lang: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.lang = lang
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        if self.lang and "lang" not in query:
            query["lang"] = self.lang
        response = self._http.request(method, path, json=body, params=query)
        data = response.json() if response.content else None
        if response.status_code >= 400:
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise ApiError(
                response.status_code,
                str(error.get("type", "http_error")),
                error.get("message") or {"en": response.text[:200]},
                int(error.get("exit_code", 3)),
            )
        return data

    # -- checking ------------------------------------------------------------------------------

    def check(self, text: str, *, record: bool = False, **post: Any) -> dict[str, Any]:
        """Check one post (``account``, ``kind``, ``language``, ``author`` … as keywords)."""
        result: dict[str, Any] = self._call(
            "POST", "/v1/check", {"text": text, **post}, record="1" if record else None
        )
        return result

    def check_many(
        self, posts: Iterable[Mapping[str, Any]], *, record: bool = False, author: str | None = None
    ) -> dict[str, Any]:
        """Check a batch: ``{"results": [...], "exit_code": worst}``."""
        body: dict[str, Any] = {"posts": [dict(p) for p in posts]}
        if author:
            body["author"] = author
        result: dict[str, Any] = self._call(
            "POST", "/v1/check", body, record="1" if record else None
        )
        return result

    def get_check(self, check_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/checks/{check_id}")
        return result

    def approve(self, check_id: str, *, approver: str, code: str) -> dict[str, Any]:
        body = {"approver": approver, "code": code}
        result: dict[str, Any] = self._call("POST", f"/v1/checks/{check_id}/approve", body)
        return result

    def reject(self, check_id: str, *, approver: str, code: str, reason: str) -> dict[str, Any]:
        body = {"approver": approver, "code": code, "reason": reason}
        result: dict[str, Any] = self._call("POST", f"/v1/checks/{check_id}/reject", body)
        return result

    def rules(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/v1/rules")["rules"]
        return result

    # -- incidents and clarifications ----------------------------------------------------------

    def incidents(self, *, status: str | None = None, account: str | None = None) -> list[Any]:
        result: list[Any] = self._call("GET", "/v1/incidents", status=status, account=account)[
            "incidents"
        ]
        return result

    def incident(self, number: int) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/incidents/{number}")
        return result

    def acknowledge(self, number: int, *, actor: str, note: str | None = None) -> dict[str, Any]:
        body = {"actor": actor, "note": note}
        result: dict[str, Any] = self._call("POST", f"/v1/incidents/{number}/acknowledge", body)
        return result

    def resolve(self, number: int, *, actor: str, reason: str) -> dict[str, Any]:
        body = {"actor": actor, "reason": reason}
        result: dict[str, Any] = self._call("POST", f"/v1/incidents/{number}/resolve", body)
        return result
