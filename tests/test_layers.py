"""The architecture holds: layers run one way and no package's modules import each other in a
circle (the import-linter contracts in pyproject.toml).

import-linter reads the source tree of an importable package, and ``smguard.plugins`` lives in
``plugins/`` (mapped by setuptools), so the check runs on a copy laid out as installed
(``tests/support/layout.py``). The last tests add a forbidden import to such a copy and expect the
contracts to fail: they prove the check can fail, so its passing means something.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.layout import ROOT, installed_layout

PYPROJECT = ROOT / "pyproject.toml"

pytest.importorskip("importlinter", reason="import-linter is a test dependency")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(lint), "--no-cache", str(PYPROJECT)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = lint_imports(installed_layout(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def add_import(module: Path, statement: str) -> None:
    text = module.read_text(encoding="utf-8")
    module.write_text(
        text.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n" + statement + "\n",
            1,
        ),
        encoding="utf-8",
    )


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    tree = installed_layout(tmp_path)
    # The guard reaching up into the database layer.
    add_import(tree / "smguard" / "guard" / "engine.py", "import smguard.records.store")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "smguard.guard is not allowed to import smguard.records" in result.stdout


def test_a_cycle_inside_a_package_breaks_the_acyclic_contract(tmp_path: Path) -> None:
    tree = installed_layout(tmp_path)
    # guard.normalize is imported by guard.lexicon; importing lexicon back closes a circle.
    add_import(tree / "smguard" / "guard" / "normalize.py", "import smguard.guard.lexicon")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "No cycles are allowed in smguard.guard" in result.stdout


def test_importing_a_private_alerting_module_breaks_the_contract(tmp_path: Path) -> None:
    tree = installed_layout(tmp_path)
    # The webhooks plugin reaching past smguard.alerting's public API.
    add_import(tree / "smguard" / "plugins" / "webhooks.py", "import smguard.alerting._sinks")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "smguard.plugins.webhooks -> smguard.alerting._sinks" in result.stdout
