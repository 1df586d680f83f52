"""What one worker holds for its whole life: the store, the guard, limits, counters.

The guard is built once per worker, when the app starts (plugins loaded, packs compiled), so a
check request only runs the rules. Tokens a worker has looked up are trusted for ``[server]
token_cache_seconds``, so a busy tool does not cost a database read per request either.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import TYPE_CHECKING, Any

from smguard.server.errors import ApiError
from smguard.server.limits import RateLimiter
from smguard.server.metrics import Metrics
from smguard.server.tokens import TokenInfo, find_token
from smguard.server.usage import UsageCounter

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["Service"]


class Service:
    def __init__(self, store: Store, guard: Any = None, *, settle: bool = False) -> None:
        self.store = store
        self._settle = settle
        self.config = store.config
        self.settings = store.config.server
        self._guard = guard
        self._guard_lock = threading.Lock()
        self._light: bool | None = None
        self.limiter = RateLimiter(self.settings.rate_per_second, self.settings.rate_burst)
        self.usage = UsageCounter(store, self.settings.usage_window_seconds)
        self.metrics = Metrics()
        self._tokens: dict[str, tuple[TokenInfo, float]] = {}
        self._tokens_lock = threading.Lock()

    @property
    def guard(self) -> Any:
        if self._guard is None:
            with self._guard_lock:
                if self._guard is None:
                    from smguard.guard.engine import Guard

                    self._guard = Guard(self.config, self.store.pm)
        return self._guard

    @property
    def ready(self) -> bool:
        return self._guard is not None

    @property
    def light(self) -> bool:
        """Whether the guard runs rules only (no model engine): a single check is then quick
        enough to run on the event loop instead of a thread."""
        if self._light is None:
            self._light = not any(rule.batch for rule in self.guard.rules)
        return self._light

    def start(self) -> None:
        _ = self.light
        if self._settle:
            from smguard.guard.memo import settle

            self.guard.warm_up()
            settle()
        self.usage.start()

    def stop(self) -> None:
        self.usage.stop()

    def cached_token(self, header: str | None) -> TokenInfo | None:
        """The token ``header`` names if this worker looked it up recently (no database read)."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        key = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
        with self._tokens_lock:
            cached = self._tokens.get(key)
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    def authenticate(self, header: str | None) -> TokenInfo:
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "unauthorized",
                "send an API token: Authorization: Bearer smg_... (smguard tokens create)",
                "kirim token API: Authorization: Bearer smg_... (smguard tokens create)",
            )
        key = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
        now = time.monotonic()
        with self._tokens_lock:
            cached = self._tokens.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        from smguard.errors import AuthError

        try:
            info = find_token(self.store, token.strip())
        except AuthError as exc:
            raise ApiError(401, "unauthorized", exc.texts["en"], exc.texts["id"]) from None
        with self._tokens_lock:
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[key] = (info, now + self.settings.token_cache_seconds)
        return info
