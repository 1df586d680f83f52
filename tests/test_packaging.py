"""smguard builds cleanly: the wheel holds the package laid out as installed (every rule pack and
data file, nothing else), the sdist carries what its own tests read, and neither build warns.
CI runs the static checks the README names.

Both are built here the way ``python -m build`` does, offline: the sdist from a copy of the
repository, then the wheel from the unpacked sdist, each with setuptools' build backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

from smguard import __version__
from tests.support.layout import ROOT, installed_files, installed_layout

pytest.importorskip("setuptools", reason="setuptools is a test dependency")

#: What a clean clone lacks at its top level, not copied to the build's source tree.
#: (``__pycache__`` folders are copied, so MANIFEST.in's rule that leaves them out is exercised.)
NOT_SOURCE = (".git", ".venv", "venv", ".tox", ".nox", "build", "dist", "*.egg-info", ".*_cache")

#: What the tests read, so what the sdist must carry (folders whole).
TESTS_READ = (
    "README.md",
    "LICENSE",
    "pyproject.toml",
    ".ci",
    "benchmarks",
    "docs",
    "examples",
    "plugins",
    "rules",
    "smguard",
    "tests",
)

DIST_INFO = f"smguard-{__version__}.dist-info/"


@dataclass(frozen=True)
class Built:
    source: Path  # the copy of the repository the sdist was built from
    sdist: Path  # the sdist, unpacked
    wheel: Path
    log: str  # both builds' output

    def wheel_files(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as wheel:
            return set(wheel.namelist())

    def wheel_text(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as wheel:
            return wheel.read(name).decode("utf-8")


def not_source(folder: str, names: list[str]) -> set[str]:
    """``shutil.copytree``'s ``ignore``: ``NOT_SOURCE`` at the top level only."""
    if Path(folder) != ROOT:
        return set()
    return {name for name in names if any(fnmatch(name, pattern) for pattern in NOT_SOURCE)}


def build(kind: str, source: Path, out: Path) -> tuple[Path, str]:
    """Run setuptools' ``build_sdist`` or ``build_wheel`` on ``source``; the file and the log."""
    out.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}  # warnings on
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta as backend;"
            f" print(backend.build_{kind}(sys.argv[1]))",
            str(out),
        ],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return out / result.stdout.splitlines()[-1], log


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=not_source)
    sdist, sdist_log = build("sdist", source, work / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    unpacked = work / "unpacked" / f"smguard-{__version__}"
    wheel, wheel_log = build("wheel", unpacked, work / "dist")
    return Built(source, unpacked, wheel, sdist_log + wheel_log)


def files_under(tree: Path, names: tuple[str, ...]) -> set[str]:
    """The files (or folders' files, caches left out) ``names`` of ``tree``, relative to it."""
    found: set[str] = set()
    for name in names:
        top = tree / name
        paths = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
        found |= {
            p.relative_to(tree).as_posix()
            for p in paths
            if "__pycache__" not in p.parts and p.suffix != ".pyc"
        }
    return found


def test_the_builds_do_not_warn(built: Built) -> None:
    # Python warnings from setuptools, e.g. "Package would be ignored" for a folder of data
    # that is not listed in `packages`.
    warnings = [line for line in built.log.splitlines() if "Warning: " in line]
    assert warnings == []
    assert "Package would be ignored" not in built.log


def test_the_wheel_holds_the_installed_layout_and_nothing_else(
    built: Built, tmp_path: Path
) -> None:
    wheel = {name for name in built.wheel_files() if not name.startswith(DIST_INFO)}
    expected = installed_files(installed_layout(tmp_path))
    assert sorted(expected - wheel) == [], "missing from the wheel"
    assert sorted(wheel - expected) == [], "in the wheel but not in the sources"


def test_the_wheel_has_every_rule_file_and_the_migration_template(built: Built) -> None:
    wheel = built.wheel_files()
    rules = {"smguard/" + path for path in files_under(ROOT, ("rules",))}
    assert len(rules) > 30  # the YAML packs, detectors and clarification templates
    assert sorted(rules - wheel) == []
    assert "smguard/records/migrations/script.py.mako" in wheel
    assert "smguard/py.typed" in wheel


def test_the_wheel_carries_the_licence(built: Built) -> None:
    metadata = built.wheel_text(DIST_INFO + "METADATA")
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()
    licence = built.wheel_text(DIST_INFO + "licenses/LICENSE")
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in licence


def test_the_sdist_carries_what_its_tests_read(built: Built) -> None:
    expected = files_under(built.source, TESTS_READ)
    assert any(path.startswith("tests/data/") for path in expected)
    assert sorted(expected - files_under(built.sdist, TESTS_READ)) == [], "missing from the sdist"


def test_the_sdist_leaves_out_caches(built: Built) -> None:
    cached = [
        p.relative_to(built.sdist).as_posix()
        for p in built.sdist.rglob("*")
        if p.name == "__pycache__" or p.suffix == ".pyc"
    ]
    assert cached == []


def test_ci_runs_the_static_checks_after_the_tests() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert run.index(".ci/lint") > run.index("readme_test_command")
    lint = (ROOT / ".ci" / "lint").read_text(encoding="utf-8")
    for check in ("ruff check .", "ruff format --check .", "mypy --strict"):
        assert check in lint
    assert "python -m tests.support.layout" in lint  # mypy sees smguard.plugins
    development = (ROOT / "README.md").read_text(encoding="utf-8").split("## Development", 1)[1]
    assert "```sh\n.ci/lint\n```" in development
