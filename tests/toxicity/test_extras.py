"""Whether an optional package is there, asked for every batch of posts without walking
``sys.path`` each time."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest

from smguard.toxicity import extras


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules the import system is asked about, with a fresh memo and clock."""
    asked: list[str] = []
    real = importlib.util.find_spec

    def counting(name: str, *args: Any) -> Any:
        asked.append(name)
        return real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", counting)
    monkeypatch.setattr(extras, "_found", {})
    return asked


def test_the_answer_is_reused_until_the_recheck_time(
    lookups: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr("smguard.toxicity.extras.time.monotonic", lambda: now[0])
    name = "smguard_no_such_package_here"
    assert extras.installed(name) is False
    now[0] += extras.RECHECK_S - 1
    assert extras.installed(name) is False
    assert lookups == [name]  # asked once for both
    now[0] += 2  # past the recheck time: a package installed meanwhile would be seen now
    assert extras.installed(name) is False
    assert lookups == [name, name]


def test_an_installed_package_is_found(lookups: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert extras.installed("pytest") is True  # imported: sys.modules answers
    assert lookups == []
    monkeypatch.delitem(sys.modules, "wave", raising=False)  # a standard module, not imported
    assert extras.installed("wave") is True
    assert extras.installed("wave") is True
    assert lookups == ["wave"]


def test_a_module_blocked_in_sys_modules_is_not_installed(
    lookups: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert extras.installed("json") is True
    monkeypatch.setitem(sys.modules, "json", None)  # how tests and embedders hide a package
    assert extras.installed("json") is False
    assert lookups == []


def test_the_onnx_engine_check_uses_the_memo(lookups: list[str]) -> None:
    from smguard.toxicity import onnx

    first = onnx.available()
    asked = len(lookups)
    for _ in range(50):
        assert onnx.available() is first
    assert len(lookups) == asked  # fifty batches, no new look through sys.path
