"""Counting token use without writing on every request.

Every use of a token is counted, in memory, per token, per route, per window of
``[server] usage_window_seconds``. When a window closes (a background thread looks every second)
the worker appends one ``token.used`` audit event per token for it: the token's id, the window,
the number of requests by route and by outcome, and the worker's process id. The token's
``last_used_at`` is moved on in the same transaction.

Why not an audit event per request: the audit log is a hash chain whose head row every writer
locks, so one row per request makes every request wait for every other one (on SQLite, for the
single writer lock) — 200 single checks a second could not be served. A window's count keeps
the record whole (how many requests, which routes, which refusals) with one write per token and
window, whatever the load. What a person *does* through the API (record, approve, reject,
acknowledge, resolve, draft, edit, publish) is not counted here: each is its own audit event,
written in the transaction of the change, as from the CLI.

What is kept if a flush fails (database down): the counts stay in memory and go with the next
flush. On a clean stop (SIGTERM, Ctrl-C) the worker flushes what it holds; a worker killed with
SIGKILL loses at most its last window's counts, never an audited change.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import update

from smguard.records.tables import ApiToken

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["UsageCounter"]

log = logging.getLogger("smguard.server")


@dataclass
class _Window:
    name: str
    start: float
    last: float
    routes: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)


class UsageCounter:
    """Counts uses per token and window; :meth:`flush` writes the closed windows."""

    def __init__(self, store: Store, window_seconds: float) -> None:
        self.store = store
        self.window = window_seconds
        self._lock = threading.Lock()
        self._open: dict[tuple[str, int], _Window] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, token_id: str, name: str, route: str, outcome: str) -> None:
        now = time.time()
        key = (token_id, int(now // self.window))
        with self._lock:
            w = self._open.get(key)
            if w is None:
                w = self._open[key] = _Window(name, now, now)
            w.last = now
            w.routes[route] += 1
            w.outcomes[outcome] += 1

    def pending(self) -> int:
        """Requests counted and not yet written."""
        with self._lock:
            return sum(w.routes.total() for w in self._open.values())

    def flush(self, everything: bool = False) -> int:
        """Write the closed windows (all of them when ``everything``); returns events written."""
        current = int(time.time() // self.window)
        with self._lock:
            keys = [k for k in self._open if everything or k[1] < current]
            taken = {k: self._open.pop(k) for k in keys}
        if not taken:
            return 0
        try:
            with self.store.session() as s:
                for (token_id, _slot), w in sorted(taken.items(), key=lambda kv: kv[1].start):
                    self.store.audit(
                        s,
                        "token.used",
                        actor=f"token:{w.name}",
                        subject=f"token:{w.name}",
                        details={
                            "id": token_id,
                            "from": _iso(w.start),
                            "to": _iso(w.last),
                            "requests": w.routes.total(),
                            "routes": dict(w.routes),
                            "outcomes": dict(w.outcomes),
                            "worker": os.getpid(),
                        },
                    )
                    s.execute(
                        update(ApiToken)
                        .where(ApiToken.id == token_id)
                        .values(last_used_at=datetime.fromtimestamp(w.last, UTC))
                    )
        except Exception:
            log.exception("could not write token use; keeping the counts for the next try")
            with self._lock:
                for key, w in taken.items():
                    kept = self._open.setdefault(key, _Window(w.name, w.start, w.last))
                    kept.start = min(kept.start, w.start)
                    kept.last = max(kept.last, w.last)
                    kept.routes.update(w.routes)
                    kept.outcomes.update(w.outcomes)
            return 0
        return len(taken)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="smguard-usage", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.flush()

    def stop(self) -> None:
        """Stop the thread and write everything counted (a clean shutdown loses nothing)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush(everything=True)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()
