"""Which optional packages the model tooling needs, checked without importing them.

Installing a model needs the ``detoxify`` extra (torch, transformers, detoxify); exporting one
to ONNX also needs onnxruntime, tokenizers and, for int8, onnx (``smguard[onnx-export]``). Each
command checks before it copies or downloads anything, and names the ``pip install`` that fixes
a gap.
"""

from __future__ import annotations

import sys
import time

from smguard.toxicity.errors import ModelStoreError

__all__ = [
    "EXPORT_FIX",
    "RECHECK_S",
    "extra_installed",
    "importable",
    "installed",
    "require_export_extra",
    "require_extra",
]

#: Installs what ``smguard models export`` needs (torch, detoxify, onnxruntime, onnx).
EXPORT_FIX = "pip install 'smguard[onnx-export]'"


def importable(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


#: How long :func:`installed` reuses what the import system said about a module that is not
#: imported yet. The toxicity rule asks for every batch of posts, and each answer walks the
#: folders of ``sys.path`` (about 0.1 ms); a package installed while a process runs is seen
#: within this time.
RECHECK_S = 60.0
_found: dict[str, tuple[float, bool]] = {}


def installed(module: str) -> bool:
    """Whether ``module`` is imported or can be, without importing it.

    ``sys.modules`` decides first (a module set to ``None`` there cannot be imported); else the
    import system's answer, remembered for :data:`RECHECK_S` seconds.
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    now = time.monotonic()
    seen = _found.get(module)
    if seen is not None and now - seen[0] < RECHECK_S:
        return seen[1]
    found = importable(module)
    _found[module] = (now, found)
    return found


def extra_installed() -> bool:
    """Whether the detoxify extra (torch, transformers, detoxify) is installed."""
    return all(importable(m) for m in ("torch", "transformers", "detoxify"))


def require_extra() -> None:
    """Fail before copying or downloading anything when torch/transformers are missing."""
    if not extra_installed():
        raise ModelStoreError(
            "installing models needs the detoxify extra: pip install 'smguard[detoxify]'"
        )


def require_export_extra(int8: bool) -> None:
    """Fail before loading anything when a package that export needs is missing."""
    _require_extra_for = [m for m in ("torch", "transformers", "detoxify") if not importable(m)]
    _require_extra_for += [m for m in ("onnxruntime", "tokenizers") if not importable(m)]
    if int8 and not importable("onnx"):
        _require_extra_for.append("onnx")
    if _require_extra_for:
        raise ModelStoreError(
            f"exporting to ONNX needs {', '.join(_require_extra_for)}: {EXPORT_FIX}"
        )
