"""``smguard serve``'s workers (``create_app(..., settle=True)``) warm the guard up when they
start and set their start-up objects aside from the garbage collector; an app built in process
(tests, a host program) leaves the collector alone."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def test_a_worker_of_smguard_serve_is_warm_and_settled_when_it_starts(tmp_path: Path) -> None:
    code = (
        "import gc\n"
        "from starlette.testclient import TestClient\n"
        "from smguard.config import Config\n"
        "from smguard.server.app import create_app\n"
        f"config = Config.from_dict({{'storage': {{'url': 'sqlite:///{tmp_path}/w.db'}}}})\n"
        "with TestClient(create_app(config, settle=True)) as client:\n"
        "    print(gc.get_freeze_count(), client.get('/readyz').json()['status'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    frozen, status = proc.stdout.split()
    assert int(frozen) > 10_000
    assert status == "ready"


def test_an_app_built_in_process_leaves_the_collector_alone(client: Any) -> None:
    assert client.get("/readyz").status_code == 200
    assert gc.get_freeze_count() == 0
