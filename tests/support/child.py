"""``smguard`` run as its own process (the console script's ``main``), with a report written at
exit: what only a whole process shows — the modules it loaded, the collector's frozen objects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_smguard(
    folder: Path, args: list[str], report: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run ``smguard ARGS`` in a child Python in ``folder``; at exit the child writes the text
    of the expression ``report`` (``gc`` ``json`` and ``sys`` are imported) to a file, which is
    returned with the finished process. SMGUARD_* variables of this process are not passed on;
    the toxicity engine is off unless ``env`` says otherwise."""
    out = folder / "child-report.txt"
    code = (
        "import atexit, gc, json, sys\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write(str({report})))\n"
        "from smguard.cli.main import main\n"
        f"sys.argv = ['smguard', *{args!r}]\n"
        "main()\n"
    )
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    child_env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    child_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc, out.read_text(encoding="utf-8") if out.exists() else ""
