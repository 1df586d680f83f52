"""Fixtures of the alerting tests: a real receiver on 127.0.0.1 and the environment that points
the "soc" sink at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.alerts import SECRET, Receiver


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**kw: Any) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def soc_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Receiver], None]:
    def point(r: Receiver, path: str = "/hooks/soc") -> None:
        monkeypatch.setenv("TEST_SOC_URL", r.url + path)
        monkeypatch.setenv("TEST_SOC_SECRET", SECRET)

    return point
