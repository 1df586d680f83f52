"""A copy of smguard's sources laid out as installed, for tools that read a source tree.

setuptools installs ``plugins/`` as ``smguard.plugins`` and ``rules/`` as ``smguard.rules``
(``package-dir`` in pyproject.toml). import-linter and mypy cannot follow that mapping, so
``tests/test_layers.py`` and ``.ci/lint`` point them at such a copy; ``tests/test_packaging.py``
checks that a built wheel holds exactly these files.

``python -m tests.support.layout DEST`` (from the repository root) writes the copy to ``DEST``.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Never part of the copy (nor of a wheel).
IGNORED = ("__pycache__", "*.py[cod]")


def package_dirs() -> dict[str, str]:
    """setuptools' ``package-dir``: package name -> source folder, parents first."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        mapping: dict[str, str] = tomllib.load(file)["tool"]["setuptools"]["package-dir"]
    return dict(sorted(mapping.items(), key=lambda item: item[0].count(".")))


def installed_layout(dest: Path) -> Path:
    """Copy each folder of ``package-dir`` to where it is installed, under ``dest``."""
    for package, source in package_dirs().items():
        shutil.copytree(
            ROOT / source,
            dest.joinpath(*package.split(".")),
            ignore=shutil.ignore_patterns(*IGNORED),
        )
    return dest


def installed_files(tree: Path) -> set[str]:
    """The files of a laid-out copy, as ``/``-separated paths relative to ``tree``."""
    return {path.relative_to(tree).as_posix() for path in tree.rglob("*") if path.is_file()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.support.layout DEST", file=sys.stderr)
        return 2
    installed_layout(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
