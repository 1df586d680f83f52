"""smguard.manager reads ``entry_points.txt`` itself to tell when no plugin is installed, and
leaves every other case to ``importlib.metadata``."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from smguard import manager


def _dist(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


SetPath = Callable[..., None]


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch) -> SetPath:
    def set_path(*entries: Path | str) -> None:
        monkeypatch.setattr(sys, "path", [str(e) for e in entries])

    return set_path


def test_no_smguard_section_means_no_plugin(tmp_path: Path, only: SetPath) -> None:
    # smguard's own console script names smguard, but not as an entry-point group.
    _dist(tmp_path, "smguard", "[console_scripts]\nsmguard = smguard.cli.main:main\n")
    _dist(tmp_path, "other", "[other]\nsmguard = x\n")
    (tmp_path / "plain-1.0.dist-info").mkdir()  # no entry_points.txt at all
    only(tmp_path, tmp_path / "missing")
    assert manager._group_surely_empty()


def test_a_smguard_section_leaves_the_work_to_importlib_metadata(
    tmp_path: Path, only: SetPath
) -> None:
    _dist(tmp_path, "smguard-hello", "[console_scripts]\nx = y:z\n\n  [smguard]  \nhello = h\n")
    only(tmp_path)
    assert not manager._group_surely_empty()


def test_a_zip_or_egg_on_the_path_is_not_guessed_about(tmp_path: Path, only: SetPath) -> None:
    archive = tmp_path / "packages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.py", "")
    only(archive)
    assert not manager._group_surely_empty()
    egg = tmp_path / "thing-1.0.egg"
    egg.mkdir()
    only(egg)
    assert not manager._group_surely_empty()


def test_another_finder_of_distributions_is_not_guessed_about(
    tmp_path: Path,
    only: SetPath,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        def find_spec(self, *args: object) -> None:
            return None

        def find_distributions(self, *args: object) -> list[object]:
            return []

    only(tmp_path)
    assert manager._group_surely_empty()
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert not manager._group_surely_empty()


def test_the_fast_answer_agrees_with_importlib_metadata(tmp_path: Path, only: SetPath) -> None:
    from importlib.metadata import entry_points

    _dist(tmp_path, "quiet", "[console_scripts]\nq = q:main\n")
    only(tmp_path)
    assert manager._group_surely_empty()
    assert not list(entry_points(group="smguard"))
    _dist(tmp_path, "loud", "[smguard]\nloud = loud_plugin\n")
    assert not manager._group_surely_empty()
    assert [ep.name for ep in entry_points(group="smguard")] == ["loud"]
