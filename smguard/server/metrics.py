"""Prometheus metrics in the text exposition format, per worker (no client library needed).

``smguard_http_requests_total{route,method,status}``, ``smguard_http_request_seconds`` (a
histogram by route), ``smguard_posts_checked_total{decision}``, ``smguard_rate_limited_total``
and ``smguard_token_uses_pending`` (counted, not yet in the audit log).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable

__all__ = ["Metrics"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(**labels: str) -> str:
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels.items()
    )
    return "{" + inner + "}"


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.decisions: Counter[str] = Counter()
        self.limited = 0
        self._hist: dict[str, list[int]] = {}
        self._sum: dict[str, float] = {}
        self._count: Counter[str] = Counter()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            counts = self._hist.setdefault(route, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self._sum[route] = self._sum.get(route, 0.0) + seconds
            self._count[route] += 1

    def decided(self, decision: str, n: int = 1) -> None:
        with self._lock:
            self.decisions[decision] += n

    def rate_limited(self) -> None:
        with self._lock:
            self.limited += 1

    def render(self, pending: Callable[[], int]) -> str:
        pid = str(os.getpid())
        out = [
            "# HELP smguard_http_requests_total HTTP requests by route, method and status.",
            "# TYPE smguard_http_requests_total counter",
        ]
        with self._lock:
            for (route, method, status), n in sorted(self.requests.items()):
                labels = _labels(route=route, method=method, status=status, worker=pid)
                out.append(f"smguard_http_requests_total{labels} {n}")
            out += [
                "# HELP smguard_http_request_seconds Time to answer a request.",
                "# TYPE smguard_http_request_seconds histogram",
            ]
            for route, counts in sorted(self._hist.items()):
                for bound, n in zip(BUCKETS, counts, strict=True):
                    labels = _labels(route=route, le=str(bound), worker=pid)
                    out.append(f"smguard_http_request_seconds_bucket{labels} {n}")
                inf = _labels(route=route, le="+Inf", worker=pid)
                out.append(f"smguard_http_request_seconds_bucket{inf} {self._count[route]}")
                plain = _labels(route=route, worker=pid)
                out.append(f"smguard_http_request_seconds_sum{plain} {self._sum[route]:.6f}")
                out.append(f"smguard_http_request_seconds_count{plain} {self._count[route]}")
            out += [
                "# HELP smguard_posts_checked_total Posts checked, by decision.",
                "# TYPE smguard_posts_checked_total counter",
            ]
            for decision, n in sorted(self.decisions.items()):
                labels = _labels(decision=decision, worker=pid)
                out.append(f"smguard_posts_checked_total{labels} {n}")
            out += [
                "# HELP smguard_rate_limited_total Requests refused by a token's rate limit.",
                "# TYPE smguard_rate_limited_total counter",
                f"smguard_rate_limited_total{_labels(worker=pid)} {self.limited}",
            ]
        out += [
            "# HELP smguard_token_uses_pending Token uses counted, not yet in the audit log.",
            "# TYPE smguard_token_uses_pending gauge",
            f"smguard_token_uses_pending{_labels(worker=pid)} {pending()}",
        ]
        return "\n".join(out) + "\n"
